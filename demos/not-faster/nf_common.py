"""Shared by the not-faster programs: clock, limits, and the server's own stats.

The protocol is one line per request, answered with one line. The special
request "stats" answers with the server's connections, threads and memory.
"""
import argparse
import os
import resource
import sys
import threading
import time

sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared"))  # demos/shared
from launch import exit_on_signals  # noqa: E402

HOST = "127.0.0.1"
T0 = float(os.environ.get("DEMO_T0", time.time()))
_print_lock = threading.Lock()


def now():
    """Seconds since the demo started (shared by all its processes)."""
    return time.time() - T0


def log(message):
    with _print_lock:  # one whole line at a time, whichever thread prints
        print(f"[{now():.2f}s] {message}", flush=True)


def raise_fd_limit():
    """Every connection is a file descriptor: allow as many as we may."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft != resource.RLIM_INFINITY and soft < hard:
        for limit in (hard, 10240):  # macOS may refuse its "unlimited" hard
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
                break
            except (ValueError, OSError):
                pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def rss_bytes():
    """This process's resident memory (on macOS: its peak so far)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


BASELINE = rss_bytes()  # before any connection


def stats(connections):
    return (f"stats connections={connections} threads={threading.active_count()}"
            f" rss={rss_bytes()} baseline={BASELINE}\n").encode()


def server_args(doc):
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=doc, formatter_class=raw)
    parser.add_argument("--port", type=int, default=0,
                        help="port on 127.0.0.1 (default 0: any free port)")
    exit_on_signals()
    raise_fd_limit()
    return parser


_handlers = set()


def keep_alive():
    """Hold this connection's handler task: Python 3.8 and 3.9 hold it only
    weakly, so an idle handler could be garbage-collected mid-await."""
    import asyncio  # here: the thread servers need not load it
    task = asyncio.current_task()
    _handlers.add(task)
    task.add_done_callback(_handlers.discard)
