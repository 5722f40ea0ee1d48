"""Load generator for the pizza servers: N clients order at the same moment.

Each client (a thread here) connects, orders one slice and times the
answer. Progress shows how many have been served so far.
"""
import argparse
import json
import socket
import sys
import threading
import time

from pizza_common import HOST, exit_on_signals, log


class Progress:
    def __init__(self, total):
        self.total, self.done, self.times = total, 0, []
        self.lock = threading.Lock()
        self.shown = 0.0

    def served(self, seconds):
        with self.lock:
            self.done += 1
            self.times.append(seconds)
            if self.done == self.total or time.monotonic() - self.shown > 0.2:
                self.shown = time.monotonic()
                log(f"{self.done:3} of {self.total} clients served")


def client(port, n, progress, timeout):
    start = time.perf_counter()
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            sock.sendall(f"client {n}\n".encode())
            if not sock.makefile("rb").readline():
                raise ConnectionError("closed without an answer")
    except OSError as e:
        return log(f"client {n} failed: {e}")
    progress.served(time.perf_counter() - start)


def main():
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--port", type=int, required=True, help="server port")
    parser.add_argument("--clients", type=int, default=100,
                        help="clients ordering at once (default 100)")
    parser.add_argument("--delay", type=float, default=1.0,
                        help="the backend's delay, for the summary")
    parser.add_argument("--label", default="this server", help="server name")
    parser.add_argument("--json", action="store_true",
                        help="also print the figures as one JSON line")
    args = parser.parse_args()
    log(f"{args.clients} clients order a slice at once")
    progress = Progress(args.clients)
    timeout = 10 + 2 * args.clients * args.delay  # even one at a time
    threads = [threading.Thread(target=client,
                                args=(args.port, n, progress, timeout))
               for n in range(args.clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if progress.done < args.clients:
        print("Some clients failed: no figures.", flush=True)
        return 1
    at_once = args.clients * args.delay / elapsed
    print(f"{args.clients} clients in {elapsed:.2f} s = "
          f"{elapsed / args.delay:.1f} x the backend's {args.delay:g} s",
          flush=True)
    orders = "order" if round(at_once) == 1 else "orders"
    print(f"{args.label}: about {at_once:.0f} {orders} in the oven at a time.",
          flush=True)
    if args.json:
        print(json.dumps({"clients": args.clients, "delay": args.delay,
                          "elapsed": elapsed, "at_once": at_once,
                          "fastest": min(progress.times),
                          "slowest": max(progress.times)}), flush=True)
    return 0


if __name__ == "__main__":
    exit_on_signals()
    sys.exit(main())
