"""Shared by the pizza programs: clock, options, and the backend's two drivers.

The backend (the oven) answers one line per connection after `delay` seconds.
A driver is the client code a server uses to ask it: a blocking one (like a
sync database driver) and an asyncio one.
"""
import argparse
import asyncio
import os
import socket
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


def server_args(doc):
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=doc, formatter_class=raw)
    parser.add_argument("--backend", type=int, required=True,
                        help="the backend's port on 127.0.0.1")
    parser.add_argument("--port", type=int, default=0,
                        help="port on 127.0.0.1 (default 0: any free port)")
    exit_on_signals()
    return parser


def bake_blocking(backend, order):
    """Sync driver: this thread waits, doing nothing, until the oven answers."""
    with socket.create_connection((HOST, backend)) as oven:
        oven.sendall(order)
        return oven.makefile("rb").readline()


async def bake(backend, order):
    """Async driver: the coroutine pauses; the event loop serves others."""
    reader, writer = await asyncio.open_connection(HOST, backend)
    writer.write(order)
    pizza = await reader.readline()
    writer.close()
    return pizza


_handlers = set()


def keep_alive():
    """Hold this connection's handler task: Python 3.8 and 3.9 hold it only
    weakly, so an idle handler could be garbage-collected mid-await."""
    task = asyncio.current_task()
    _handlers.add(task)
    task.add_done_callback(_handlers.discard)
