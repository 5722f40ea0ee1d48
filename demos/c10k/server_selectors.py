"""A hand-written event loop: a selector and callbacks, nothing else.

This is the layer under asyncio. Each socket is registered with the
selector together with the function to call when it is ready; the loop
waits in select() and calls it. An idle client costs a socket and one
entry in the selector's table: no thread, no object of our own.
"""
import os
import selectors
import socket

from c10k_common import (BACKLOG, Meter, die_on_signals, fd_limit_line, log,
                         server_args)

selector = selectors.DefaultSelector()  # epoll on Linux, kqueue on macOS
meter = Meter()


def accept(listener):
    try:
        conn, _ = listener.accept()
    except BlockingIOError:
        return
    except OSError as exc:  # EMFILE, ENFILE, ENOBUFS...
        meter.hit_wall(exc)
        selector.unregister(listener)  # stop accepting; hold what we have
        listener.close()
        return
    conn.setblocking(False)
    selector.register(conn, selectors.EVENT_READ, readable)
    meter.opened()


def readable(conn):
    try:
        data = conn.recv(1024)
    except OSError:
        data = b""
    if not data:  # the client left
        selector.unregister(conn)
        conn.close()
        meter.closed()


def main():
    args = server_args(__doc__)
    die_on_signals()
    log(f"server: {fd_limit_line()}")
    listener = socket.create_server((args.host, args.port), backlog=BACKLOG)
    listener.setblocking(False)
    selector.register(listener, selectors.EVENT_READ, accept)
    host, port = listener.getsockname()[:2]
    log(f"server: selectors + callbacks on {host}:{port} "
        f"(pid {os.getpid()})")
    while True:  # the event loop
        for key, mask in selector.select(timeout=0.25):
            callback = key.data
            callback(key.fileobj)
        meter.tick()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
