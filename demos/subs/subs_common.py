"""The subs shop's one heavy recipe, its clock, and its tiny line protocol.

A request is one line: "primes N" (CPU-heavy: count the primes below N) or
"ping" (cheap). The answer is one line. One request per connection.
"""
import argparse
import os
import sys
import threading
import time

sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared"))  # demos/shared
from launch import exit_on_signals  # noqa: E402,F401 (used by load.py too)

HOST = "127.0.0.1"
_print_lock = threading.Lock()
T0 = float(os.environ.get("DEMO_T0", time.time()))


def now():
    """Seconds since the demo started (shared by all its processes)."""
    return time.time() - T0


def log(message):
    with _print_lock:  # one whole line at a time, whichever thread prints
        print(f"[{now():.2f}s] {message}", flush=True)


def count_primes(limit):
    """Pure-Python CPU work: no I/O, nothing to wait for."""
    count = 0
    for n in range(2, limit):
        for d in range(2, int(n ** 0.5) + 1):
            if n % d == 0:
                break
        else:
            count += 1
    return count


def make_sandwich(limit, clock=True):
    """The heavy handler: returns the answer line, with the CPU seconds it took
    and (with `clock`) the seconds it took on the clock: more than its CPU
    when other programs had the core meanwhile."""
    cpu, wall = time.thread_time(), time.perf_counter()
    count = count_primes(limit)
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    return f"{count} primes below {limit} cpu={cpu:.3f}" + (
        f" wall={wall:.3f}\n" if clock else "\n")


def server_args(doc, cleanup=None):
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=doc, formatter_class=raw)
    parser.add_argument("--port", type=int, default=0,
                        help="port on 127.0.0.1 (default 0: any free port)")
    exit_on_signals(cleanup)
    return parser


def parse_request(line):
    """b"primes 250000" -> 250000; b"ping" -> None."""
    words = line.decode(errors="replace").split()
    if len(words) == 2 and words[0] == "primes" and words[1].isdigit():
        return min(int(words[1]), 10_000_000)
    return None


_handlers = set()


def keep_alive():
    """Hold this connection's handler task: Python 3.8 and 3.9 hold it only
    weakly, so an idle handler could be garbage-collected mid-await."""
    import asyncio  # here: the thread servers need not load it
    task = asyncio.current_task()
    _handlers.add(task)
    task.add_done_callback(_handlers.discard)
