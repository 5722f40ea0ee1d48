"""Run a server and its load generator as separate processes; show both.

Shared by the not-faster, pizza and subs demos (plumbing: no slide shows it).

The meters follow the server alone: the load generator is its sibling, not
its child. Ctrl-C, SIGTERM or SIGHUP stop them all, quietly.
"""
import os
import re
import signal
import subprocess
import sys
import threading
import time

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# How long to wait, at the end, for the last lines the programs printed to be relayed
# (a grandchild that keeps a pipe open must not hold the launcher forever).
RELAY_GRACE = 3.0


def exit_on_signals(cleanup=None):
    """Ctrl-C, SIGTERM or SIGHUP end this program at once, with no traceback."""
    def stop(signum, frame):
        cleanup()
        os._exit(128 + signum)  # sockets close with the process
    for sig in SIGNALS:  # default action: the kernel ends the process
        signal.signal(sig, stop if cleanup else signal.SIG_DFL)


def _interrupt(signum, frame):
    for sig in SIGNALS:
        signal.signal(sig, signal.SIG_IGN)  # once is enough
    raise KeyboardInterrupt


def _relay(pipe):
    for line in pipe:
        print(line, end="", flush=True)


def _start(script, args, env):
    # the programs live beside the demo that runs them, not beside this file
    here = os.path.dirname(os.path.abspath(sys.argv[0]))
    return subprocess.Popen([sys.executable, os.path.join(here, script), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, env=env, text=True)


def _finish_relays(relays):
    """Wait until every line the programs printed has been relayed: the last
    program's --json figures come last, and must not be lost at the exit."""
    deadline = time.monotonic() + RELAY_GRACE
    for relay in relays:
        relay.join(max(0.0, deadline - time.monotonic()))


def _stop(procs):
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 1.0
    for proc in procs:
        try:
            proc.wait(max(0.01, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run(programs):
    """Start each program in turn; "{port}" in one's arguments becomes the
    port the program before it announced. Waits for the last one."""
    for sig in SIGNALS:
        signal.signal(sig, _interrupt)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.setdefault("DEMO_T0", repr(time.time()))  # one clock for every process
    procs, relays, port, code = [], [], None, 1
    try:
        for script, *args in programs:
            args = [port if a == "{port}" else a for a in args]
            procs.append(_start(script, args, env))
            if len(procs) < len(programs):
                first = procs[-1].stdout.readline()  # "... on 127.0.0.1:PORT"
                print(first, end="", flush=True)
                found = re.search(r"127\.0\.0\.\d+:(\d+)", first)
                if not found:
                    print(procs[-1].stdout.read(), end="", flush=True)
                    return 1
                port = found.group(1)
        for proc in procs:
            relays.append(threading.Thread(target=_relay, args=(proc.stdout,),
                                           daemon=True))
            relays[-1].start()
        code = procs[-1].wait()
    except KeyboardInterrupt:
        code = 130
    finally:
        try:
            _stop(procs)
            _finish_relays(relays)
        except KeyboardInterrupt:  # a second Ctrl-C while stopping
            code = 130
    if code == 130:
        print("Stopped.", flush=True)
    return code
