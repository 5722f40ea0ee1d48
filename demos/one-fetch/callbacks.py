"""One fetch with a selector and callbacks: no thread waits at all.

crawl() starts a Fetcher and returns at once; the event loop calls
connected(), then read_response() when data arrives. The state has to live
in the Fetcher's attributes, kept by hand between callbacks. And when the
answer is malformed, the traceback starts at the event loop: no crawl(),
no fetch(), nothing says who asked for the page ("stack ripping").
"""
import argparse
import os
import selectors
import socket
import sys

sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared"))  # demos/shared
from helpers import conclude, parse, request, show_state, show_traceback  # noqa: E402
from slow_http_server import SlowServer, log, run  # noqa: E402

selector = selectors.DefaultSelector()


class Fetcher:
    def __init__(self, port, url):
        self.port, self.url, self.sock, self.response = port, url, None, b""

    # slide: register
    def fetch(self):
        self.sock = socket.socket()
        self.sock.setblocking(False)
        try:
            self.sock.connect(("127.0.0.1", self.port))
        except BlockingIOError:
            pass  # normal: the connection is under way
        selector.register(self.sock, selectors.EVENT_WRITE, self.connected)
    # end slide
        show_state("Fetcher attributes, by hand", vars(self))

    # slide: callbacks
    def connected(self):
        selector.modify(self.sock, selectors.EVENT_READ, self.read_response)
        self.sock.send(request(self.url))

    def read_response(self):
        chunk = self.sock.recv(4096)
        if chunk:
            self.response += chunk
            return  # more to come: the loop calls us again
        selector.unregister(self.sock)
        self.sock.close()
        status, body = parse(self.response)
    # end slide
        log(f"status {status}: {body!r}")


def crawl(port, url):
    log(f"GET {url}")
    Fetcher(port, url).fetch()  # returns at once: the loop does the rest


# slide: loop
def loop():  # the event loop
    while selector.get_map():  # while any socket is registered
        for key, mask in selector.select():
            callback = key.data
            callback()
# end slide


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delay", type=float, default=1.0,
                        help="seconds the server takes to answer (default 1)")
    args = parser.parse_args()
    with SlowServer() as port:
        crawl(port, f"/page?delay={args.delay:g}")
        loop()
        log("next, a typo in the status: 2OO")
        try:
            crawl(port, "/typo?delay=0.2")
            loop()
        except ValueError as error:
            conclude("callbacks", show_traceback(error))


if __name__ == "__main__":
    run(main)
