"""Load generator for the subs servers: K heavy orders at once, then a ping.

Each heavy order ("count the primes below N") gets its own connection and
thread here; 0.1 s later one cheap ping is sent. Every answer is timed.
"""
import argparse
import json
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
    cpu = float(answer.rpartition("cpu=")[2])
    results.append((took, cpu))
    log(f"order #{n} ready after {took:.2f} s ({cpu:.2f} s of CPU)")


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
    log(f"{args.requests} heavy orders at once (primes below {limit:,}), "
        f"then a ping")
    results = []
    orders = [threading.Thread(target=heavy, args=(args.port, n + 1, limit,
                                                   results), daemon=True)
              for n in range(args.requests)]
    start = time.perf_counter()
    for order in orders:
        order.start()
    time.sleep(args.ping_after)
    _, ping = ask(args.port, "ping")
    log(f"ping answered after {ping:.3f} s")
    for order in orders:
        order.join()
    elapsed = time.perf_counter() - start
    if len(results) < args.requests:
        print("Some orders failed: no figures.", flush=True)
        return 1

    cpu = statistics.median(c for _, c in results)
    rate = len(results) / elapsed
    cores = sum(c for _, c in results) / elapsed
    print(f"{len(results)} orders in {elapsed:.2f} s: {rate:.1f} per second, "
          f"{cores:.1f} of {os.cpu_count()} cores busy", flush=True)
    waited = "waited behind the heavy work" if ping >= cpu / 2 else \
        "was answered at once"
    print(f"{args.label}: {rate:.1f} orders/s; the ping took {ping:.2f} s "
          f"(one order = {cpu:.2f} s of CPU): it {waited}.", flush=True)
    if args.json:
        print(json.dumps({"requests": len(results), "elapsed": elapsed,
                          "rate": rate, "cores_busy": cores, "cpu": cpu,
                          "ping": ping, "t": now()}), flush=True)


if __name__ == "__main__":
    exit_on_signals()
    try:
        sys.exit(main())
    except OSError as e:
        sys.exit(f"The server could not be reached: {e}")
