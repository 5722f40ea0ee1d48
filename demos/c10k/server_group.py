"""Several server processes on one port: the C10K server, N times, for C100K.

One process can hold only as many connections as it may open files. So
start N copies of the same server (server_asyncio.py, server_threads.py,
...), each binding the same port with SO_REUSEPORT: the kernel spreads the
incoming connections over them. This process starts them, adds up what
they report, and speaks for them; the meters follow it and its workers
as one group. Ctrl-C (or SIGTERM) ends them all.
"""
import argparse
import os
import re
import sys
import time

from c10k_common import (fd_limit_line, log, plural, set_clock, stack_line,
                         thread_limits_line)
from group import Group, ask_to_stop, every

SERVERS = {
    "threads": ("server_threads.py", "thread per connection"),
    "asyncio": ("server_asyncio.py", "asyncio Protocol"),
    "asyncio-streams": ("server_streams.py", "asyncio streams"),
    "selectors": ("server_selectors.py", "selectors"),
}
# Quiet this long: the ramp is over. Longer than a single server waits (1 s):
# with a dozen processes on a busy machine, one may pause that long.
QUIET_SECONDS = 2
LISTENING = re.compile(r" on ([\d.]+):(\d+) \(pid (\d+)\)")


def wait_listening(group, members, pending):
    """Pass on what members say until each in `members` listens; its port."""
    port = None
    while any(m in pending for m in members):
        for member, line in group.poll(0.25):
            found = LISTENING.search(line)
            if found and member in pending:
                pending.discard(member)
                port = int(found.group(2))
            else:
                log(f"server: {member.name}: {line}")
        gone = next((m for m in group.members if m.proc.poll() is not None),
                    None)
        if gone:
            raise SystemExit(f"server: {gone.name} exited (status "
                             f"{gone.proc.returncode}) before listening")
    return port


class Summary:
    """The group's progress in the words a single server uses."""

    def __init__(self, group):
        self.group, self.n_shown, self.concluded = group, 0, True
        self.walls_shown, self.print_due = set(), every(1.0)
        self.walls_named = set()

    def tick(self):
        g, n = self.group, self.group.total("n")
        workers = sum(m.proc.poll() is None for m in g.members)
        threads = plural(g.total("threads"), "thread")
        for member, wall in g.reported("wall"):
            if member in self.walls_shown:
                continue
            self.walls_shown.add(member)
            if wall[0] not in self.walls_named:  # each wall once
                self.walls_named.add(wall[0])
                log(f"server: WALL: {wall[0]}")
                for line in wall[1:]:
                    log(f"server:   {line}")
                log(f"server: {member.name} of {workers} stopped accepting, "
                    "holding what it has")
        lasts = [t for _, t in g.reported("last")]
        quiet = lasts and all(t is not None for t in lasts)
        if n != self.n_shown and self.print_due():
            log(f"server: {plural(n, 'connection')} in {workers} processes, "
                f"{threads}")
            self.n_shown, self.concluded = n, False
        elif (not self.concluded and n == self.n_shown and quiet
              and time_since(max(lasts)) >= QUIET_SECONDS):
            self.concluded = True
            if n == 0:
                return
            if self.walls_shown:
                log(f"server: {len(self.walls_shown)} of {workers} processes "
                    "stopped at a wall")
            log(f"server: holding {n:,} idle connections with {threads} in "
                f"{workers} processes")
            firsts = [t for _, t in g.reported("first")]
            grew = g.total("grew")
            log(f"server: ramp {max(lasts) - min(firsts):.2f} s; RSS "
                f"+{grew / 2**20:.1f} MiB = {grew / n / 1024:.1f} KiB per "
                "connection")


def time_since(t):
    return time.monotonic() - t  # members report times on this clock


def main():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=SERVERS, default="asyncio",
                        help="the server each process runs (default asyncio)")
    parser.add_argument("--workers", type=int, default=2,
                        help="how many server processes (default 2)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0,
                        help="port to listen on (default 0: any free port)")
    parser.add_argument("--t0", type=float, default=0,
                        help="time 0 of the [s] stamps, seconds since the "
                             "epoch (default: now)")
    args = parser.parse_args()
    set_clock(args.t0)
    ask_to_stop()
    script, title = SERVERS[args.model]
    log(f"server: {fd_limit_line()}, each process")
    if args.model == "threads":
        log(f"server: {thread_limits_line()}")
        log(f"server: {stack_line()}")
    if not sys.platform.startswith("linux"):
        log("server: note: outside Linux, SO_REUSEPORT may not spread "
            "connections evenly over the processes")

    group = Group()
    common = ["--host", args.host, "--t0", args.t0, "--reuse-port"]
    if args.model == "threads":  # only the real walls stop it
        common += ["--max-threads", 1 << 30]
    try:
        # The first picks the port; the others join it there.
        first = group.start("process 1", script, *common, "--port", args.port)
        port = wait_listening(group, [first], {first})
        rest = [group.start(f"process {i + 1}", script, *common, "--port", port)
                for i in range(1, args.workers)]
        wait_listening(group, rest, set(rest))
        log(f"server: {args.workers} {title} processes on {args.host}:{port} "
            f"(pid {os.getpid()})")
        log("server: one port, shared (SO_REUSEPORT): the kernel spreads "
            "connections")
    except KeyboardInterrupt:
        group.stop()
        return 0
    except BaseException:
        group.stop()
        raise
    return group.run("server", Summary(group).tick)


if __name__ == "__main__":
    sys.exit(main())
