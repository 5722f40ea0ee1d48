"""How many processes N idle connections need here, from the limits read here.

One process holds at most as many connections as it may open files, and one
load generator opens at most as many as its source address has ports. So
C100K takes several server processes sharing one port (SO_REUSEPORT) and
several generators, each on its own loopback source address (127.0.0.2,
.3, ...). Where the machine cannot hold N (a low open-file limit, no extra
loopback addresses, too little memory), the plan says which limit and
ramps to what fits instead.
"""
import math
import socket
import sys

from c10k_common import (fmt_limit, plural, port_range, raise_fd_limit, spare_threads,
                         sysctl, thread_pool)

MOST_PROCESSES = 16  # per side: servers, and load generators
FDS_KEPT = 32  # per process: stdio, the listener, epoll, pipes...
# The kernel hashes connections over the servers: leave room for unevenness.
SERVER_FILL = 0.85
CLIENT_FILL = 0.95
# Linux picks a connection's port from one half of the range (one parity)
# first; past that, each connect() searches the whole range: the ramp
# would crawl. So an address takes at most a little less than half.
ADDRESS_FILL = 0.45
# Memory a connection costs the machine, both ends and the kernel (measured
# here at 10,000: asyncio ~2 KiB + the kernel's ~9 KiB; threads ~54 KiB),
# with room to spare. A plan uses at most half of the memory available.
COST = {"threads": 80 << 10, "asyncio-streams": 24 << 10}
DEFAULT_COST = 16 << 10


def available_memory():
    """Bytes of memory available for new work, or None."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    total = sysctl("hw.memsize")  # macOS: no "available"; take half
    return total[0] // 2 if total else None


def files_left():
    """Open files the whole machine may still open, and its limit's name."""
    if sys.platform.startswith("linux"):
        nr, most = sysctl("fs.file-nr"), sysctl("fs.file-max")
        if nr and most:
            return most[0] - nr[0], f"fs.file-max {most[0]:,}"
        return None, None
    most = sysctl("kern.maxfiles")  # macOS; in use: kern.num_files
    used = sysctl("kern.num_files") or [0]
    return (most[0] - used[0], f"kern.maxfiles {most[0]:,}") if most else (
        None, None)


def usable_addresses(wanted):
    """How many of 127.0.0.2, .3, ... (up to `wanted`) can be bound here."""
    for n in range(wanted):
        sock = socket.socket()
        try:
            sock.bind((f"127.0.0.{n + 2}", 0))
        except OSError:
            return n
        finally:
            sock.close()
    return wanted


class Plan:
    def __init__(self, model, wanted, workers=0):
        self.model, self.wanted, self.lines, self.limits = model, wanted, [], []
        soft, hard = raise_fd_limit()  # children inherit the raised limit
        self.fds = soft
        per_process = max(0, min(soft, 1 << 30) - FDS_KEPT)
        per_server = int(per_process * SERVER_FILL)
        if model == "threads" and sys.platform.startswith("linux"):
            maps = (sysctl("vm.max_map_count") or [0])[0]
            if maps:  # ~2.9 memory mappings per thread
                per_server = min(per_server, int(maps / 3 * 0.9))
        first, last = port_range()
        self.ports = last - first + 1
        self.per_address = int(self.ports * ADDRESS_FILL)
        per_client = int(per_process * CLIENT_FILL)
        if per_server < 10 or per_client < 10:
            raise SystemExit(
                f"plan: open files: {fmt_limit(soft)} per process is too few "
                "for this demo; raise it (ulimit -n 10240) and run it again")
        self.servers = workers or min(MOST_PROCESSES,
                                      math.ceil(wanted / per_server))
        clients = min(MOST_PROCESSES, math.ceil(wanted / per_client))
        each = math.ceil(min(wanted / clients, per_client) / self.per_address)
        self.addresses = usable_addresses(clients * each)
        fits = [(self.servers * per_server,
                 f"open files: {fmt_limit(soft)} a process (hard "
                 f"{fmt_limit(hard)}; raise: ulimit -n)\n"
                 + (f"and {self.servers} server processes (--workers)"
                    if workers else
                    f"and {MOST_PROCESSES} server processes at most"))]
        if self.addresses:
            fits.append((min(self.addresses * self.per_address,
                             clients * per_client),
                         f"source addresses: {self.addresses} beside "
                         f"127.0.0.1, ~{self.per_address:,} connections each"))
        else:  # macOS: only 127.0.0.1 until aliases are added
            fits.append((self.per_address,
                         f"source addresses: only 127.0.0.1 here, "
                         f"~{self.per_address:,} connections\n"
                         "(add more: sudo ifconfig lo0 alias 127.0.0.2 up, "
                         ".3, ...)"))
        left, name = files_left()
        if left is not None:  # both ends of every connection are open files
            fits.append((int(left * 0.8 / 2), f"the machine's open files, "
                         f"{name}: both ends count"))
        memory = available_memory()
        if memory:
            cost = COST.get(model, DEFAULT_COST)
            fits.append((int(memory / 2 / cost),
                         f"memory: {memory / 2**30:.1f} GiB available, ~"
                         f"{cost >> 10} KiB a connection"))
        self.connections = min([wanted] + [n for n, _ in fits])
        self.short = [why for n, why in fits if n < wanted]
        if not workers:
            self.servers = max(1, math.ceil(self.connections / per_server))
        self.clients = max(1, math.ceil(self.connections / per_client))
        self.per_server = math.ceil(self.connections / self.servers)
        self.per_client = math.ceil(self.connections / self.clients)
        # each generator its own addresses, none shared
        self.each = math.ceil(self.per_client / self.per_address)
        if self.addresses and self.clients * self.each > self.addresses:
            self.each = max(1, self.addresses // self.clients)
        self.describe(soft, hard)

    def describe(self, soft, hard):
        say = self.lines.append
        if self.short:
            say(f"plan: {self.wanted:,} connections do not fit here:")
            for why in self.short:
                for line in why.split("\n"):
                    say(f"plan:   {line}")
            say(f"plan: ramping to {self.connections:,} instead")
        say(f"plan: {self.connections:,} idle connections; open files "
            f"{fmt_limit(soft)} a process (hard {fmt_limit(hard)})")
        say(f"plan: {plural(self.servers, 'server process')} on one port "
            f"(SO_REUSEPORT), ~{self.per_server:,} each")
        if self.addresses:
            used = self.clients * self.each
            last = f"-127.0.0.{used + 1}" if used > 1 else ""
            each = f", ~{self.per_client:,} each" * (self.clients > 1)
            say(f"plan: {plural(self.clients, 'load generator')}{each}, from "
                f"127.0.0.2{last}")
            say(f"plan: ~{self.per_address:,} per address: the fast half of "
                f"its {self.ports:,} ports")
        else:
            say(f"plan: {plural(self.clients, 'load generator')}, "
                f"~{self.per_client:,} each, all from 127.0.0.1")
        if self.model == "threads":
            pool = thread_pool()
            if pool:
                in_use, size, name = pool
                stop = size - spare_threads(size) - in_use
                say(f"plan: threads: {name} {size:,} for the whole machine")
                say(f"plan: {in_use:,} in use now: expect a wall near "
                    f"{stop:,} threads")

