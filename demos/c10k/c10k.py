"""C10K: ramp 0 -> N idle connections against one server model, and hold.

Starts the server under test (server_<model>.py) and, a second after it
is ready, the load generator (idle_clients.py): two separate processes,
so the meters can follow the server alone. Both print their progress
here. Ctrl-C stops both.

With --workers (C100K), the server is several processes on
one port (server_group.py) and the load comes from several generators
(client_group.py), as many as the limits read here need (group_plan.py).

Models: threads (a thread per connection), asyncio (asyncio Protocol),
asyncio-streams (asyncio streams, a Task per connection), selectors (a
hand-written selectors loop with callbacks).
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time

from c10k_common import log, set_clock, stop_on_signals
from group_plan import Plan

HERE = os.path.dirname(os.path.abspath(__file__))
PRINTING = threading.Lock()
SERVERS = {
    "threads": "server_threads.py",
    "asyncio": "server_asyncio.py",
    "asyncio-streams": "server_streams.py",
    "selectors": "server_selectors.py",
}


def python(script, *args):
    return [sys.executable, "-u", os.path.join(HERE, script), *map(str, args)]


NOTES = {  # what the result line says, taken from the two sides' lines
    "wall": re.compile(r"server: WALL: (.*)"),
    "held": re.compile(r"(?:server|client): holding ([\d,]+) idle connections"),
    "per": re.compile(r"server: ramp .* = ([\d.]+ KiB) per connection"),
}


def relay(pipe, holding, notes):
    """Copy a child's output to ours, line by line; note when it holds."""
    for line in pipe:
        with PRINTING:  # whole lines, never two halves
            sys.stdout.write(line)
            sys.stdout.flush()
        for key, pattern in NOTES.items():
            found = pattern.search(line)
            if found and not (key == "wall" and key in notes):
                notes[key] = found.group(1)
        if ": holding " in line:
            holding.set()


def result(plan, notes):
    """C100K's last word, so that it is the last line on screen."""
    held = f"result: {notes.get('held', '0')} idle connections held by " \
           f"{plan.servers} server processes"
    if "wall" in notes:
        log(held)
        log(f"result: stopped by a wall: {notes['wall']}")
    else:
        log(held + (f", {notes['per']} each" if "per" in notes else ""))


def stop(*procs):
    """SIGTERM, then SIGKILL whatever is still there after half a second."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        # A second Ctrl-C: no traceback. (A handler that does nothing, not
        # SIG_IGN: a signal on its way as SIG_IGN is set raises OSError.)
        signal.signal(sig, lambda signum, frame: None)
    for p in procs:
        if p and p.poll() is None:
            p.terminate()
    deadline = time.monotonic() + 0.5
    for p in procs:
        if p:
            try:
                p.wait(max(0.01, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def main():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=SERVERS, default="asyncio",
                        help="the server under test (default asyncio)")
    parser.add_argument("--connections", type=int, default=10_000,
                        help="idle connections to open (default 10,000)")
    parser.add_argument("--rate", type=int, default=5000,
                        help="new connections per second (default 5,000)")
    parser.add_argument("--hold", type=float, default=0,
                        help="seconds to hold them once both sides hold "
                             "(default 0: until Ctrl-C)")
    parser.add_argument("--max-threads", type=int, default=10_000,
                        help="threads model: most client threads "
                             "(default 10,000)")
    parser.add_argument("--address-space-mib", type=int, default=0,
                        help="threads model: limit the server's address space "
                             "(ulimit -v) to show the thread wall (default 0: none)")
    parser.add_argument("--per-address", type=int, default=0,
                        help="connections per source address (default: 90%% "
                             "of the ephemeral port range)")
    parser.add_argument("--workers", type=int, default=None,
                        help="C100K: this many server processes sharing the "
                             "port, and as many load generators as needed "
                             "(0: as many as the limits here need; default: "
                             "one server process, one generator)")
    args = parser.parse_args()
    t0 = time.time()
    set_clock(t0)
    stop_on_signals()

    server_args = ["--t0", t0]
    if args.model == "threads":
        server_args += ["--max-threads", args.max_threads,
                        "--address-space-mib", args.address_space_mib]
    server_script = SERVERS[args.model]
    plan = None
    if args.workers is not None:  # several processes on each side
        plan = Plan(args.model, args.connections, max(0, args.workers))
        for line in plan.lines:
            log(line)
        server_script = "server_group.py"
        server_args = ["--t0", t0, "--model", args.model,
                       "--workers", plan.servers]
    server = client = None
    try:
        server = subprocess.Popen(python(server_script, *server_args),
                                  stdout=subprocess.PIPE, text=True)
        port = None
        for line in server.stdout:  # wait until it listens
            sys.stdout.write(line)
            found = re.search(r" on [\d.]+:(\d+) ", line)
            if found:
                port = int(found.group(1))
                break
        if port is None:
            log("the server did not start")
            return 1
        server_holds, client_holds = threading.Event(), threading.Event()
        notes = {}
        threading.Thread(target=relay, args=(server.stdout, server_holds, notes),
                         daemon=True).start()
        time.sleep(1.0)  # let the meters take a baseline before load
        if plan:
            load = python("client_group.py", "--port", port, "--t0", t0,
                          "--connections", plan.connections,
                          "--rate", args.rate, "--clients", plan.clients,
                          "--addresses", plan.each if plan.addresses else 0,
                          "--per-address", plan.per_address)
        else:
            load = python("idle_clients.py", "--port", port, "--t0", t0,
                          "--connections", args.connections,
                          "--rate", args.rate,
                          "--per-address", args.per_address)
        client = subprocess.Popen(load, stdout=subprocess.PIPE, text=True)
        client_notes = {}
        threading.Thread(target=relay,
                         args=(client.stdout, client_holds, client_notes),
                         daemon=True).start()
        held_since = told = None
        while client.poll() is None and server.poll() is None:
            time.sleep(0.1)
            if (held_since is None and server_holds.is_set()
                    and client_holds.is_set()):
                held_since = time.monotonic()
            # Both sides agree (the server may have paused, and said
            # "holding", before the last of the ramp): the result.
            if (plan and held_since and not told
                    and notes.get("held") == client_notes.get("held")):
                time.sleep(0.1)  # the server's ramp line, right behind
                told = True
                result(plan, notes)
            if (args.hold and held_since
                    and time.monotonic() - held_since >= args.hold):
                log(f"held them {args.hold:g} s; stopping")
                break
        if server.poll() is not None:
            log(f"the server exited (status {server.returncode})")
            return 1
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        stop(server, client)  # the server first: no flood of goodbyes


if __name__ == "__main__":
    sys.exit(main())
