"""Races: threads that share a counter lose updates; coroutines without await don't.

Each worker adds 1 to a shared counter, many times, by reading it, adding
one, and writing it back. A thread can be switched out between the read and
the write (CPython switches threads at a function call or a loop's jump,
so the step from n to n + 1 is a call here, as real code's steps usually
are), and another thread's updates are then overwritten. A coroutine is only
switched out where it says `await`, so with no await inside the increment
no update is lost. Variants: threads, threads-lock (the fix for threads),
coroutines, and coroutines-await (an await inside the increment: lost again).
"""
import argparse
import asyncio
import json
import sys
import threading
import time

START = time.monotonic()
counter = 0


def plus_one(n):
    return n + 1  # a call: a thread may be switched out here


def increment():  # read, modify, write: not atomic
    global counter
    n = counter
    counter = plus_one(n)


def thread_worker(increments, start, lock=None):
    start.wait()  # all threads begin together
    for _ in range(increments):
        if lock:
            with lock:  # one thread at a time between read and write
                increment()
        else:
            increment()


async def task_worker(increments):
    for i in range(increments):
        increment()  # no await inside: no other task can run in the middle
        if i % 100 == 99:
            await asyncio.sleep(0)  # take turns, but only between increments


async def awaiting_worker(increments):
    global counter
    for _ in range(increments):
        n = counter
        await asyncio.sleep(0)  # an await inside: another task runs here
        counter = n + 1


def run_threads(workers, increments, lock):
    start = threading.Barrier(workers)
    threads = [threading.Thread(target=thread_worker, daemon=True,
                                args=(increments, start, lock)) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


async def run_tasks(workers, increments, worker):
    await asyncio.gather(*(worker(increments) for _ in range(workers)))


def one_round(mode, workers, increments):
    global counter
    counter = 0
    if mode == "threads":
        run_threads(workers, increments, None)
    elif mode == "threads-lock":
        run_threads(workers, increments, threading.Lock())
    elif mode == "coroutines":
        asyncio.run(run_tasks(workers, increments, task_worker))
    else:
        asyncio.run(run_tasks(workers, increments, awaiting_worker))
    return counter


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["threads", "threads-lock", "coroutines",
                                         "coroutines-await"], help="who increments")
    parser.add_argument("--workers", type=int, default=4, choices=range(2, 17),
                        metavar="2..16", help="threads or tasks (default 4)")
    parser.add_argument("--increments", type=int, default=100_000,
                        help="increments per worker, 1000 to 500000 (default 100000)")
    parser.add_argument("--rounds", type=int, default=5, choices=range(1, 11),
                        metavar="1..10", help="how many times to race (default 5)")
    parser.add_argument("--switch-interval", type=float, default=1e-6,
                        help="sys.setswitchinterval, seconds (default 1e-6; "
                             "Python's own is 0.005)")
    parser.add_argument("--json", action="store_true", help="also print a JSON line")
    args = parser.parse_args()
    if not 1000 <= args.increments <= 500_000:
        parser.error("--increments must be from 1000 to 500000")
    sys.setswitchinterval(args.switch_interval)  # threads switch more often
    kind = "threads" if args.mode.startswith("threads") else "tasks"
    expected = args.workers * args.increments
    print(f"{args.workers} {kind} x {args.increments:,} increments = {expected:,}"
          f" expected ({args.mode})")
    if kind == "threads":
        print(f"Threads switch every {sys.getswitchinterval():g} s"
              " (Python's default: 0.005 s)")
    results = []
    for r in range(1, args.rounds + 1):
        began = time.monotonic()
        actual = one_round(args.mode, args.workers, args.increments)
        results.append(actual)
        print(f"[{time.monotonic() - START:.2f}s] round {r}: counter {actual:>11,}"
              f"  lost {expected - actual:>11,}  ({time.monotonic() - began:.2f} s)")
    lost = [expected - a for a in results]
    if args.json:
        print(json.dumps({"mode": args.mode, "expected": expected, "actual": results}))
    if any(lost):
        print(f"Conclusion: {args.mode} lost updates in {sum(1 for x in lost if x)} of"
              f" {len(lost)} rounds (up to {max(lost):,} of {expected:,}).")
    else:
        print(f"Conclusion: {args.mode} lost nothing: {expected:,} every round.")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print()
