"""Several load generators as one: C100K needs more than one process opens.

One process may open only so many files, and one source address has only
so many ports (the ephemeral port range). So start M copies of
idle_clients.py, each with its share of the connections and of the rate,
each on its own source address (127.0.0.2, .3, ...), and speak for them.
They close with a reset (SO_LINGER 0), so tearing 100,000 connections
down leaves no TIME_WAIT behind. They run at a lower priority (nice 10) so
that on a busy machine the servers get the CPU first: a generator that
outran them would fill their accept queues, and the kernel would drop
connections and retry them seconds later. Ctrl-C (or SIGTERM) ends them all.
"""
import argparse
import math
import os
import sys

from c10k_common import log, plural, port_range, set_clock
from group import Group, ask_to_stop, every


def main():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1",
                        help="server address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, required=True, help="server port")
    parser.add_argument("--connections", type=int, default=100_000,
                        help="idle connections in all (default 100,000)")
    parser.add_argument("--clients", type=int, default=2,
                        help="how many load generators (default 2)")
    parser.add_argument("--rate", type=int, default=5000,
                        help="new connections per second, in all "
                             "(default 5,000)")
    parser.add_argument("--addresses", type=int, default=1,
                        help="source addresses each generator uses, its own "
                             "(127.0.0.2, .3, ...; default 1; 0: all on "
                             "127.0.0.1)")
    parser.add_argument("--per-address", type=int, default=12_000,
                        help="connections per source address (default "
                             "12,000)")
    parser.add_argument("--t0", type=float, default=0,
                        help="time 0 of the [s] stamps, seconds since the "
                             "epoch (default: now)")
    args = parser.parse_args()
    set_clock(args.t0)
    ask_to_stop()
    first, last = port_range()
    log(f"client: ephemeral ports {first}-{last}: {last - first + 1:,} per "
        "source address")
    log(f"client: ramping to {args.connections:,} idle connections, "
        f"{args.rate:,} per second")
    log(f"client: from {plural(args.clients, 'process')}, "
        f"{plural(max(1, args.addresses), 'source address')} each")
    try:
        os.nice(10)  # the generators inherit it
    except (AttributeError, OSError):
        pass
    group, n = Group(), max(1, min(args.clients, args.connections))
    share = math.ceil(args.connections / n)
    try:
        for i in range(n):
            mine = min(share, args.connections - i * share)
            first = 2 + i * args.addresses if args.addresses else 1
            per_address = args.per_address if args.addresses else mine
            group.start(f"generator {i + 1}", "idle_clients.py",
                        "--host", args.host, "--port", args.port,
                        "--connections", mine, "--rate",
                        max(1, args.rate // n), "--first-address", first,
                        "--per-address", per_address, "--reset",
                        "--t0", args.t0)
    except KeyboardInterrupt:  # stopped while starting them
        group.stop()
        return 0
    except BaseException:
        group.stop()
        raise
    return group.run("client", Summary(group).tick)


class Summary:
    """The generators' progress in the words a single one uses."""

    def __init__(self, group):
        self.group, self.print_due = group, every(1.0)
        self.shown, self.stops, self.concluded = None, set(), False

    def tick(self):
        g, n = self.group, len(self.group.members)
        for member, why in g.reported("stop"):
            if why not in self.stops:
                self.stops.add(why)
                log(f"client: {member.name} stopped: {why}")
        state = (g.total("holding"), g.total("connecting"))
        if state != self.shown and state != (0, 0) and self.print_due():
            more = f", {state[1]:,} connecting" * bool(state[1])
            lost = g.total("lost")
            if lost:
                more += f", {lost:,} closed by the server"
            log(f"client: {state[0]:,} connected{more}")
            self.shown = state
        done = [t for _, t in g.reported("done")]
        if len(done) < n:
            self.concluded = False
        elif state[1] == 0 and not self.concluded:
            self.concluded = True
            if state != self.shown:  # the last count first
                log(f"client: {state[0]:,} connected")
                self.shown = state
            log(f"client: holding {state[0]:,} idle connections, "
                f"{plural(n, 'process')} (ramp {max(done):.2f} s)")
            lost = g.total("lost")
            if lost:
                log(f"client: the server closed {lost:,} of "
                    f"{g.total('connected'):,} (see its output)")


if __name__ == "__main__":
    sys.exit(main())
