"""An event loop in a few dozen lines: timers, ready callbacks and a selector.

The shape of asyncio's BaseEventLoop._run_once, simplified: work out how long
it may sleep (until the next timer is due), sleep in select() for at most
that long, queue the callbacks of the ready sockets and of the due timers,
then run them one at a time, each to its end. Around again.

Run it: it asks a slow local server for two pages while a timer ticks, and
prints what every turn of the loop did.
"""
import argparse
import heapq
import itertools
import os
import selectors
import socket
import sys
import time

sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared"))  # demos/shared
from slow_http_server import SlowServer, log, run  # noqa: E402


class Loop:
    def __init__(self):
        self.selector = selectors.DefaultSelector()
        self.ready = []  # callbacks to run on this turn
        self.timers = []  # a heap of (when, n, callback)
        self.order = itertools.count()  # ties in `when` keep their order
        self.stopping = False
        self.turns, self.note = 0, {}  # what each turn did, for the log

    def call_soon(self, callback):
        self.ready.append(callback)

    def call_later(self, delay, callback):
        when = time.monotonic() + delay
        heapq.heappush(self.timers, (when, next(self.order), callback))

    def add_reader(self, sock, callback):
        self.selector.register(sock, selectors.EVENT_READ, callback)

    def remove_reader(self, sock):
        self.selector.unregister(sock)

    def stop(self):
        self.stopping = True

    # slide: run-once
    def run_forever(self):
        while not self.stopping:
            self.run_once()

    def run_once(self):
        timeout = self.time_until_next_timer()
        events = self.selector.select(timeout)
        for key, mask in events:
            self.ready.append(key.data)  # a callback
        self.ready.extend(self.pop_due_timers())
        for callback in self.take_ready():
            callback()
    # end slide

    def time_until_next_timer(self):
        """0 if callbacks wait, None (forever) if no timer, else until the next."""
        if self.ready:
            timeout = 0
        elif not self.timers:
            timeout = None
        else:
            timeout = max(0.0, self.timers[0][0] - time.monotonic())
        self.note = {"timeout": timeout, "queued": len(self.ready)}
        return timeout

    def pop_due_timers(self):
        due, now = [], time.monotonic()
        while self.timers and self.timers[0][0] <= now:
            due.append(heapq.heappop(self.timers)[2])
        self.note.update(sockets=len(self.ready) - self.note["queued"], timers=len(due))
        return due

    def take_ready(self):
        ready, self.ready = self.ready, []
        self.turns += 1
        n, t = self.note, self.note["timeout"]
        sleep = "forever" if t is None else f"{t:.2f} s"
        log(f"turn {self.turns}: select(up to {sleep}): {n['sockets']} socket(s),"
            f" {n['timers']} timer(s) -> run {len(ready)}")
        return ready


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delay", type=float, default=1.0,
                        help="seconds the slower page takes (default 1)")
    args = parser.parse_args()
    loop, pages = Loop(), {}

    def tick():
        log("  tick (a timer)")
        if len(pages) < 2:
            loop.call_later(0.4, tick)

    def fetch(port, url):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(f"GET {url} HTTP/1.0\r\n\r\n".encode())
        sock.setblocking(False)
        chunks = []

        def on_readable():  # the socket is ready: this recv() will not wait
            chunk = sock.recv(4096)
            if chunk:
                chunks.append(chunk)
                return
            loop.remove_reader(sock)
            sock.close()
            pages[url] = b"".join(chunks).split(b"\r\n")[0].decode()
            log(f"  {url}: {pages[url]} (a socket was ready)")
            if len(pages) == 2:
                loop.stop()

        loop.add_reader(sock, on_readable)

    with SlowServer() as port:
        t0 = time.perf_counter()
        loop.call_soon(lambda: fetch(port, f"/fast?delay={args.delay / 2:g}"))
        loop.call_soon(lambda: fetch(port, f"/slow?delay={args.delay:g}"))
        loop.call_later(0.4, tick)
        loop.run_forever()
        took = time.perf_counter() - t0
    print(f"Conclusion: 2 pages and the ticks in {took:.2f} s, one thread,"
          f" {loop.turns} turns of the loop.", flush=True)


if __name__ == "__main__":
    run(main)
