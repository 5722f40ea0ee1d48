"""Races: threads that share a counter lose updates; coroutines without await don't.

Each worker adds 1 to a shared counter, many times, by reading it, adding one
(a function call, as real code's steps usually are), and writing it back. A
thread can be switched out between the read and the write; another thread's
updates are then overwritten. A coroutine is only switched out where it says
`await`, so with no await inside the increment no update is lost.

What this demo does to show the race in seconds: it asks CPython to switch
threads every microsecond (sys.setswitchinterval(1e-6); the default is 5 ms).
Since Python 3.10, CPython switches threads only at a call or a loop's jump
back, never inside a plain `counter += 1`; so that one line (variant
threads-plain) loses nothing on 3.10 and later, and loses updates on 3.8 and
3.9. No rule of the language promises either: on free-threaded CPython (3.13t
and later, no GIL) threads run at the same time, and even `counter += 1` loses
updates without any switch interval.

Variants: threads, threads-plain, threads-lock (the fix for threads),
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


# slide: threads
def add_one(n):
    return n + 1


def increment():
    global counter
    n = counter     # read
    n = add_one(n)  # a switch can land here
    counter = n     # write


def thread_worker(increments):
    for _ in range(increments):
        increment()
# end slide


# slide: threads-plain
def plain_worker(increments):
    global counter
    for _ in range(increments):
        counter += 1  # one line, three steps
# end slide


# slide: threads-lock
lock = threading.Lock()


def locked_worker(increments):
    for _ in range(increments):
        with lock:  # one thread at a time
            increment()
# end slide


# slide: coroutines
async def task_worker(increments):
    for i in range(increments):
        increment()  # no await inside
        if i % 100 == 99:  # take turns:
            await asyncio.sleep(0)
# end slide


# slide: coroutines-await
async def awaiting_worker(increments):
    global counter
    for _ in range(increments):
        n = counter
        await asyncio.sleep(0)  # another task runs here
        counter = n + 1
# end slide


THREAD_WORKERS = {"threads": thread_worker, "threads-plain": plain_worker,
                  "threads-lock": locked_worker}
TASK_WORKERS = {"coroutines": task_worker, "coroutines-await": awaiting_worker}


def run_threads(workers, increments, worker):
    start = threading.Barrier(workers)

    def begin():
        start.wait()  # all threads begin together
        worker(increments)

    threads = [threading.Thread(target=begin, daemon=True) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


async def run_tasks(workers, increments, worker):
    await asyncio.gather(*(worker(increments) for _ in range(workers)))


def one_round(mode, workers, increments):
    global counter
    counter = 0
    if mode in THREAD_WORKERS:
        run_threads(workers, increments, THREAD_WORKERS[mode])
    else:
        asyncio.run(run_tasks(workers, increments, TASK_WORKERS[mode]))
    return counter


def gil_enabled():
    check = getattr(sys, "_is_gil_enabled", None)  # Python 3.13 and later
    return check() if check else True


def interpreter_line():
    """Which Python, and how it switches threads: what decides the threads' result."""
    version = ".".join(map(str, sys.version_info[:3]))
    if not gil_enabled():
        return f"Python {version}, free-threaded: threads run in parallel"
    if sys.version_info >= (3, 10):
        return f"Python {version} (GIL): switches only at calls, loop jumps"
    return f"Python {version} (GIL): switches between nearly any bytecodes"


def explain_plain(lost):
    """Why the one-line version lost what it lost, on this interpreter."""
    if any(lost):
        return ["counter += 1 is a read, an add and a write:",
                "a switch landed in between."]
    if sys.version_info >= (3, 10) and gil_enabled():
        return ["CPython 3.10+ never switches inside counter += 1:",
                "luck, not a promise (3.8, 3.9 and 3.13t lose updates)."]
    return ["no switch landed inside counter += 1 this time."]


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=[*THREAD_WORKERS, *TASK_WORKERS], help="who increments")
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
    sys.setswitchinterval(args.switch_interval)  # to see the race in seconds
    kind = "threads" if args.mode in THREAD_WORKERS else "tasks"
    expected = args.workers * args.increments
    print(f"{args.workers} {kind} x {args.increments:,} increments = {expected:,}"
          f" expected ({args.mode})")
    if kind == "threads":
        print(interpreter_line())
        print(f"Demo: a switch every {sys.getswitchinterval():g} s (default 0.005 s)")
    results = []
    for r in range(1, args.rounds + 1):
        began = time.monotonic()
        actual = one_round(args.mode, args.workers, args.increments)
        results.append(actual)
        print(f"[{time.monotonic() - START:.2f}s] round {r}: {actual:>9,}, lost {expected - actual:>9,}"
              f" ({time.monotonic() - began:.2f} s)")
    lost = [expected - a for a in results]
    if args.json:
        print(json.dumps({"mode": args.mode, "expected": expected, "actual": results,
                          "python": sys.version.split()[0], "gil": gil_enabled()}))
    if any(lost):
        print(f"Conclusion: {args.mode} lost updates in {sum(1 for x in lost if x)} of"
              f" {len(lost)} rounds (up to {max(lost):,} of {expected:,}).")
    else:
        print(f"Conclusion: {args.mode} lost nothing: {expected:,} every round.")
    if args.mode == "threads-plain":
        print("\n".join(explain_plain(lost)))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print()
