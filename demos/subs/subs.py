"""Subs: CPU-bound work served by a process pool, by threads, or by asyncio.

Starts the chosen server and, as a separate process, a load generator that
orders K heavy sandwiches at once (count primes: pure CPU) plus one cheap
ping. Async gains nothing here: throughput is bound by cores, and while a
coroutine computes, the event loop (and the ping) waits.
"""
import argparse
import os
import sys

sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared"))  # demos/shared
from launch import run  # noqa: E402

SERVERS = {"pool": ("server_pool.py", "process pool"),
           "threads": ("server_threads.py", "threads"),
           "asyncio": ("server_asyncio.py", "asyncio")}


def main():
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--server", choices=SERVERS, default="pool",
                        help="which server to run (default pool)")
    parser.add_argument("--requests", type=int, default=6,
                        help="heavy requests sent at once, 1-50 (default 6)")
    parser.add_argument("--work", type=int, default=250,
                        help="primes below WORK thousand, 10-2000 (default 250)")
    parser.add_argument("--json", action="store_true",
                        help="also print the figures as one JSON line")
    args = parser.parse_args()
    if not (1 <= args.requests <= 50 and 10 <= args.work <= 2000):
        parser.error("--requests must be 1-50 and --work 10-2000")
    script, label = SERVERS[args.server]
    load = ["load.py", "--port", "{port}", "--requests", str(args.requests),
            "--work", str(args.work), "--label", label]
    return run([[script], load + (["--json"] if args.json else [])])


if __name__ == "__main__":
    sys.exit(main())
