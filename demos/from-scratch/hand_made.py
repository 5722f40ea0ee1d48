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


class Future:
    """A result that is not there yet, and whom to call when it is."""

    def __init__(self):
        self.result, self.callbacks = None, []

    def add_done_callback(self, fn):
        self.callbacks.append(fn)

    def set_result(self, result):
        self.result = result
        for fn in self.callbacks:
            fn(self)

    def __iter__(self):
        yield self  # to the Task: "resume me when I am done"
        return self.result  # the value of `yield from future`


class Task:
    """Drives a generator: runs it to the Future it waits for, and on."""

    def __init__(self, coro):
        self.coro = coro
        self.step(None)

    def step(self, future):
        try:
            next_future = self.coro.send(None)
        except StopIteration:
            return  # the generator returned: the task is done
        next_future.add_done_callback(self.step)


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


def read(sock):
    f = Future()
    selector.register(sock, selectors.EVENT_READ,
                      lambda: f.set_result(sock.recv(4096)))
    chunk = yield from f
    selector.unregister(sock)
    return chunk


def fetch(port, url):
    sock = socket.socket()
    yield from connect(sock, ("127.0.0.1", port))
    sock.send(f"GET {url} HTTP/1.0\r\n\r\n".encode())
    response = b""
    while True:
        chunk = yield from read(sock)  # suspends: the others run meanwhile
        if not chunk:
            break
        response += chunk
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
