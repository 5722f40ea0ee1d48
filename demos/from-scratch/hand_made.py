"""Fetch N slow URLs at once with a hand-made event loop (the 500 Lines way).

A selector loop, a Future, a Task that drives a generator, and `yield from`:
each fetch reads like blocking code but suspends where it would wait, so
all of them wait together. The total is about the longest delay, not the
sum, in one thread. Compare with sequential.py and asyncio_gather.py.
"""
import os
import selectors
import socket
import sys
import time

sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared"))  # demos/shared
from slow_http_server import SlowServer, run  # noqa: E402
from timeline import finished, parse_args, report, started, urls  # noqa: E402

selector = selectors.DefaultSelector()


# slide: future
class Future:
    def __init__(self):
        self.result = None
        self.callbacks = []

    def add_done_callback(self, fn):
        self.callbacks.append(fn)

    def set_result(self, result):
        self.result = result
        for fn in self.callbacks:
            fn(self)

    def __iter__(self):  # `yield from f`:
        yield self  # the Task waits on me
        return self.result
# end slide


# slide: task
class Task:
    def __init__(self, coro):
        self.coro = coro
        self.step(None)

    def step(self, future):
        try:
            f = self.coro.send(None)
        except StopIteration:
            return  # it returned: done
        f.add_done_callback(self.step)
# end slide


def connect(sock, address):
    f = Future()
    sock.setblocking(False)
    try:
        sock.connect(address)
    except BlockingIOError:
        pass  # normal: the connection is under way
    selector.register(sock, selectors.EVENT_WRITE, lambda: f.set_result(None))
    yield from f
    selector.unregister(sock)


# slide: yield-from
def read(sock):
    f = Future()

    def on_readable():
        f.set_result(sock.recv(4096))

    selector.register(sock, selectors.EVENT_READ, on_readable)
    chunk = yield from f  # pause until readable
    selector.unregister(sock)
    return chunk


def read_all(sock):
    response = b""
    while chunk := (yield from read(sock)):
        response += chunk
    return response
# end slide


def fetch(port, url):
    sock = socket.socket()
    yield from connect(sock, ("127.0.0.1", port))
    sock.send(f"GET {url} HTTP/1.0\r\n\r\n".encode())
    response = yield from read_all(sock)  # suspends: the others run meanwhile
    sock.close()
    return response


def crawl(port, url):
    started(url)
    finished(url, (yield from fetch(port, url)))


def loop():
    """The event loop: wait for ready sockets, run their callbacks."""
    while selector.get_map():  # while any socket is registered
        for key, mask in selector.select():
            callback = key.data
            callback()


def main():
    args = parse_args(__doc__)
    todo = urls(args.count, args.max_delay)
    with SlowServer() as port:
        t0 = time.perf_counter()
        for url in todo:
            Task(crawl(port, url))
        loop()
        report("hand-made", todo, time.perf_counter() - t0)


if __name__ == "__main__":
    run(main)
