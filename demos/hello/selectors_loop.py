"""Non-blocking sockets + a selector with callbacks: N requests overlap.

One thread starts every request, then a small event loop waits on the
selector and runs whichever callback is ready. The total time is about one
server delay, however many requests. Compare with blocking.py.
"""
import argparse
import selectors
import socket
import sys
import time

from slow_line_server import SlowServer, log

selector = selectors.DefaultSelector()


class Fetcher:
    """The state of one request, kept between callbacks."""

    def __init__(self, port, n):
        self.n, self.answer, self.done = n, b"", False
        self.sock = socket.socket()
        self.sock.setblocking(False)
        try:
            self.sock.connect(("127.0.0.1", port))
        except BlockingIOError:  # normal: the connection is under way
            pass
        selector.register(self.sock, selectors.EVENT_WRITE, self.connected)

    def connected(self):
        self.sock.send(f"request {self.n}\n".encode())  # tiny: fits in one send
        log(f"#{self.n} connected, request sent")
        selector.modify(self.sock, selectors.EVENT_READ, self.readable)

    def readable(self):
        chunk = self.sock.recv(4096)
        if chunk:
            self.answer += chunk
            return
        selector.unregister(self.sock)
        self.sock.close()
        self.done = True
        log(f"#{self.n} received {self.answer.decode().strip()!r}")


def main():
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--count", type=int, default=3,
                        help="how many requests (default 3)")
    parser.add_argument("--delay", type=float, default=0.5,
                        help="seconds the server takes per answer (default 0.5)")
    args = parser.parse_args()

    with SlowServer(args.delay) as port:
        log(f"slow server: {args.delay:.2f} s per answer")
        start = time.perf_counter()
        fetchers = [Fetcher(port, n) for n in range(1, args.count + 1)]
        log(f"#1..#{args.count} connecting, all at once..." if args.count > 1
            else "#1 connecting...")
        try:
            while not all(f.done for f in fetchers):  # the event loop
                events = selector.select(timeout=10)
                if not events:
                    raise TimeoutError("no answer within 10 s")
                for key, mask in events:
                    callback = key.data
                    callback()
        finally:
            for f in fetchers:
                if not f.done:
                    selector.unregister(f.sock)
                    f.sock.close()
            selector.close()
        took = time.perf_counter() - start
    requests = "request" if args.count == 1 else "requests"
    waits = "1 wait" if args.count == 1 else "the waits overlap"
    print(f"{args.count} {requests} in {took:.2f} s: {waits}", flush=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("\nInterrupted.", flush=True)
        sys.exit(130)
