"""Load generator for the subs servers: K heavy orders at once, then a ping.

Each heavy order ("count the primes below N") gets its own connection and
thread here; 0.1 s later one cheap ping is sent. Every answer is timed.
"""
import argparse
import json
import math
import os
import socket
import statistics
import sys
import threading
import time

from subs_common import HOST, exit_on_signals, log, now


def ask(port, line):
    """Send one request line; return (answer, seconds it took)."""
    start = time.perf_counter()
    with socket.create_connection((HOST, port), timeout=120) as sock:
        sock.sendall(line.encode() + b"\n")
        answer = sock.makefile().readline().strip()
    if not answer:
        raise ConnectionError("closed without an answer")
    return answer, time.perf_counter() - start


def heavy(port, n, limit, results):
    try:
        answer, took = ask(port, f"primes {limit}")
    except OSError as e:
        return log(f"order #{n} failed: {e}")
    figures = dict(w.split("=") for w in answer.split() if "=" in w)
    cpu, wall = float(figures["cpu"]), float(figures.get("wall", "nan"))
    results.append((took, cpu, wall))
    log(f"#{n} ready after {took:.2f} s, {cpu:.2f} s CPU")


def main():
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--port", type=int, required=True, help="server port")
    parser.add_argument("--requests", type=int, default=6,
                        help="heavy requests sent at once (default 6)")
    parser.add_argument("--work", type=int, default=250,
                        help="count primes below WORK thousand (default 250)")
    parser.add_argument("--ping-after", type=float, default=0.1,
                        help="seconds before the ping is sent (default 0.1)")
    parser.add_argument("--label", default="this server", help="server name")
    parser.add_argument("--json", action="store_true",
                        help="also print the figures as one JSON line")
    args = parser.parse_args()
    limit = args.work * 1000
    log(f"{args.requests} heavy orders at once, then a ping")
    results = []
    orders = [threading.Thread(target=heavy, args=(args.port, n + 1, limit,
                                                   results), daemon=True)
              for n in range(args.requests)]
    start = time.perf_counter()
    for order in orders:
        order.start()
    time.sleep(args.ping_after)
    _, ping = ask(args.port, "ping")
    before = len(results)  # heavy orders answered before the ping was
    log(f"ping answered after {ping:.2f} s")
    for order in orders:
        order.join()
    elapsed = time.perf_counter() - start
    if len(results) < args.requests:
        print("Some orders failed: no figures.", flush=True)
        return 1

    # What holds on a busy machine too: each order's CPU seconds, and how many
    # orders the ping waited for. Orders per second depend on the idle cores.
    cpu = statistics.median(c for _, c, _ in results)
    rate = len(results) / elapsed
    cores = sum(c for _, c, _ in results) / elapsed
    share = sum(c for _, c, _ in results) / sum(w for _, _, w in results)
    share = None if math.isnan(share) else share
    print(f"{len(results)} orders in {elapsed:.2f} s: {rate:.1f} per second\n"
          f"{cpu:.2f} s of CPU each; {cores:.1f} of {os.cpu_count()} cores busy",
          flush=True)
    if share is not None and share < 0.85:  # an order never pauses: it got well under a core
        print(f"busy machine: orders ran at {100 * share:.0f} % of a core",
              flush=True)
    if before:
        print(f"{args.label}: ping {ping:.2f} s, behind {before} "
              f"order{'s' * (before > 1)}", flush=True)
    else:
        print(f"{args.label}: ping {ping:.2f} s, answered first", flush=True)
    if args.json:
        print(json.dumps({"requests": len(results), "elapsed": elapsed,
                          "rate": rate, "cores_busy": cores, "cpu": cpu,
                          "ping": ping, "ping_after": before, "share": share,
                          "t": now()}), flush=True)


if __name__ == "__main__":
    exit_on_signals()
    try:
        sys.exit(main())
    except OSError as e:
        sys.exit(f"The server could not be reached: {e}")
