"""One fetch with generators, a Future and a Task: the 500 Lines way.

fetch() reads like the blocking code, but each `yield from` suspends it:
the Task resumes it when the Future it waits for gets a result, and the
event loop sets that result when the socket is ready. Its state stays in
its own local variables, kept in a suspended generator frame. When the
answer is malformed, the traceback shows the whole path again, from the
Task through crawl() and fetch() to parse().
"""
import argparse
import os
import selectors
import socket
import sys

sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared"))  # demos/shared
from helpers import conclude, parse, request, show_suspended, show_traceback  # noqa: E402
from slow_http_server import SlowServer, log, run  # noqa: E402

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
        show_suspended(self.coro)  # where is the state now?


def connect(sock, address):
    f = Future()
    sock.setblocking(False)
    try:
        sock.connect(address)
    except BlockingIOError:
        pass  # normal: the connection is under way

    def on_connected():
        f.set_result(None)

    selector.register(sock, selectors.EVENT_WRITE, on_connected)
    yield from f
    selector.unregister(sock)


def read(sock):
    f = Future()

    def on_readable():
        f.set_result(sock.recv(4096))

    selector.register(sock, selectors.EVENT_READ, on_readable)
    chunk = yield from f
    selector.unregister(sock)
    return chunk


def fetch(port, url):
    sock = socket.socket()
    yield from connect(sock, ("127.0.0.1", port))
    sock.send(request(url))
    response = b""
    while True:
        chunk = yield from read(sock)  # suspends: the loop runs meanwhile
        if not chunk:
            break
        response += chunk
    sock.close()
    return parse(response)


def crawl(port, url):
    log(f"GET {url}")
    status, body = yield from fetch(port, url)
    log(f"status {status}: {body!r}")


def loop():
    """The event loop: wait for ready sockets, run their callbacks."""
    while selector.get_map():  # while any socket is registered
        for key, mask in selector.select():
            callback = key.data
            callback()


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delay", type=float, default=1.0,
                        help="seconds the server takes to answer (default 1)")
    args = parser.parse_args()
    with SlowServer() as port:
        Task(crawl(port, f"/page?delay={args.delay:g}"))
        loop()
        log("next, a typo in the status: 2OO")
        try:
            Task(crawl(port, "/typo?delay=0.2"))
            loop()
        except ValueError as error:
            conclude("generators", show_traceback(error))


if __name__ == "__main__":
    run(main)
