"""Waiting with a selector: the kernel wakes us when the socket is ready.

The same non-blocking socket as busy_wait.py, but instead of asking again
and again, the program sleeps in select() (epoll, kqueue...) until the
connection is made, then until the answer arrives. Same wait, ~0 % CPU.
"""
import argparse
import os
import selectors
import socket
import sys
import time

sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared"))  # demos/shared
from slow_http_server import SlowServer, log, run  # noqa: E402


def fetch(port, delay):
    selector = selectors.DefaultSelector()
    sock = socket.socket()
    sock.setblocking(False)
    try:
        sock.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass  # normal: the connection is under way
    selects = 1
    selector.register(sock, selectors.EVENT_WRITE)
    selector.select()  # sleep until connected (writable)
    sock.send(f"GET /select?delay={delay} HTTP/1.0\r\n\r\n".encode())
    log("request sent; waiting in select()...")
    selector.modify(sock, selectors.EVENT_READ)
    while not selector.select(timeout=1.0):  # sleep until readable
        selects += 1
        log(f"still waiting: {selects} select() calls")
    answer = sock.recv(4096)
    selector.close()
    sock.close()
    log(f"answer after {selects + 1} select() calls")
    return selects + 1


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delay", type=float, default=4.0,
                        help="seconds the server takes to answer (default 4)")
    args = parser.parse_args()
    with SlowServer() as port:
        log(f"slow server answers in {args.delay:g} s")
        wall, cpu = time.perf_counter(), time.process_time()
        fetch(port, args.delay)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"select: {wall:.1f} s waited, {cpu:.2f} s CPU burnt\n"
          f"  = {cpu / wall:.2f} s of CPU per second of waiting", flush=True)


if __name__ == "__main__":
    run(main)
