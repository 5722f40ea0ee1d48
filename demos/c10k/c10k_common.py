"""Shared bits of the C10K demo: a clock, the limits, the walls, a meter.

Every server model (server_threads.py, server_asyncio.py, server_streams.py,
server_selectors.py) and the load generator (idle_clients.py) use these, so
the samples themselves show only what differs: how each holds connections.
"""
import errno
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time

T0 = time.time()  # time 0 of the "[1.23s]" stamps; c10k.py passes its own


def set_clock(t0):
    """Stamp times relative to `t0` (seconds since the epoch) instead of now."""
    global T0
    if t0:
        T0 = t0


def log(message):
    print(f"[{time.time() - T0:.2f}s] {message}", flush=True)


def stop_on_signals():
    """Turn SIGTERM and SIGHUP into KeyboardInterrupt: one quiet way out."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupt)


def die_on_signals():
    """Let Ctrl-C, SIGTERM and SIGHUP end the process at once, quietly.

    The kernel closes every socket. Nothing to clean up, and no Python
    handler that would first wait for the GIL (behind thousands of threads)
    or cancel thousands of tasks one by one.
    """
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


# --- limits -------------------------------------------------------------

def sysctl(name):
    """A kernel setting as a list of ints (None if unknown)."""
    try:
        if sys.platform.startswith("linux"):
            with open("/proc/sys/" + name.replace(".", "/")) as f:
                return [int(x) for x in f.read().split()]
        out = subprocess.run(["sysctl", "-n", name], capture_output=True,
                             text=True, timeout=2).stdout
        return [int(x) for x in out.split()] or None
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def raise_fd_limit():
    """Raise the soft open-file limit as far as allowed; return (soft, hard)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # macOS reports an infinite hard limit but refuses more than
    # kern.maxfilesperproc, so try smaller values until one is accepted.
    for want in (hard, 1 << 20, 65536, 24576, 10240):
        if want == resource.RLIM_INFINITY or want <= soft:
            continue
        if hard != resource.RLIM_INFINITY and want > hard:
            continue
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
            break
        except (ValueError, OSError):
            continue
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def fmt_limit(n):
    return "unlimited" if n in (None, resource.RLIM_INFINITY) else f"{n:,}"


def fd_limit_line():
    before = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    soft, hard = raise_fd_limit()
    raised = f" (raised from {before:,})" if soft != before else ""
    return f"open files: {fmt_limit(soft)}{raised}, hard {fmt_limit(hard)}"


def port_range():
    """The ephemeral port range, (first, last)."""
    r = sysctl("net.ipv4.ip_local_port_range")
    if r and len(r) == 2:
        return r[0], r[1]
    first = sysctl("net.inet.ip.portrange.first")  # macOS
    last = sysctl("net.inet.ip.portrange.last")
    if first and last:
        return first[0], last[0]
    return 49152, 65535  # the IANA range


def thread_limits_line():
    """The settings that bound how many threads one process can start."""
    if sys.platform.startswith("linux"):
        tmax = (sysctl("kernel.threads-max") or [None])[0]
        maps = (sysctl("vm.max_map_count") or [None])[0]
        pids = (sysctl("kernel.pid_max") or [None])[0]
        # Each thread needs about 2-3 memory mappings (stack, guard page...)
        return (f"threads-max {fmt_limit(tmax)}, pid_max {fmt_limit(pids)}, "
                f"vm.max_map_count {fmt_limit(maps)}")
    per_proc = (sysctl("kern.num_taskthreads") or [None])[0]  # macOS
    return f"threads per process: {fmt_limit(per_proc)}"


def thread_ceiling_line(threads):
    """Linux: how many memory maps this process has, per thread, and so where
    vm.max_map_count will stop it (every thread's stack and guard page are maps)."""
    maps_max = (sysctl("vm.max_map_count") or [None])[0]
    try:
        with open("/proc/self/maps") as f:
            maps = sum(1 for _ in f)
    except OSError:
        return None  # not Linux: the limit is kern.num_taskthreads, printed at start
    if not maps_max or threads < 1000:  # a few hundred maps are the libraries'
        return None
    per = maps / threads
    return (f"memory maps: {maps:,}, {per:.1f} per thread: vm.max_map_count "
            f"{maps_max:,} stops this process near {int(maps_max / per):,} threads")


def thread_pool():
    """The machine's pool of threads: (in use now, size, its name), or None.

    On Linux every thread takes a pid, from one pool for the whole machine:
    kernel.pid_max (and kernel.threads-max) bound all processes together.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        with open("/proc/loadavg") as f:
            in_use = int(f.read().split()[3].split("/")[1])  # threads now
    except (OSError, ValueError, IndexError):
        return None
    pids = (sysctl("kernel.pid_max") or [None])[0]
    tmax = (sysctl("kernel.threads-max") or [None])[0]
    sizes = [(n, name) for n, name in ((pids, "kernel.pid_max"),
                                       (tmax, "kernel.threads-max")) if n]
    if not sizes:
        return None
    size, name = min(sizes)
    return in_use, size, name


def spare_threads(size):
    """How much of the machine's thread pool a demo leaves to everything else."""
    return max(1000, size // 10)


def pool_wall(in_use, size, name):
    """The thread pool's wall, in plain words."""
    what = "pids" if name == "kernel.pid_max" else "threads"
    return (f"{name}: {size:,} {what} for the whole machine\n"
            f"every thread takes one; {in_use:,} in use: stopped "
            f"{size - in_use:,} short,\n"
            "so that the machine can still start processes")


def stack_line():
    """How big each thread's stack is: reserved address space, not memory."""
    size = threading.stack_size()  # 0: the platform's default
    if size == 0 and sys.platform.startswith("linux"):
        size = resource.getrlimit(resource.RLIMIT_STACK)[0]  # glibc's default
        if size == resource.RLIM_INFINITY:
            size = 2 << 20
    if size == 0:
        return "thread stack: platform default (reserved, not memory)"
    return (f"thread stack: {size / 2**20:g} MiB each, reserved address "
            "space, not memory")


# --- walls ----------------------------------------------------------------

def describe_wall(exc):
    """Say in plain words which limit an exception means, and its value."""
    if isinstance(exc, str):
        return exc
    if isinstance(exc, MemoryError):
        return "MemoryError: Python could not allocate memory"
    if isinstance(exc, RuntimeError):  # "can't start new thread"
        limits = thread_limits_line()
        space = resource.getrlimit(resource.RLIMIT_AS)[0]
        if space != resource.RLIM_INFINITY:  # each stack is reserved in it
            limits += (f"\naddress space (ulimit -v) {space / 2**20:,.0f} MiB: "
                       "each thread's stack is reserved in it")
        return f"{exc}: the OS refused another thread\n{limits}"
    code = getattr(exc, "errno", None)
    name = errno.errorcode.get(code, type(exc).__name__)
    if code == errno.EMFILE:
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        return f"EMFILE: this process's open-file limit, {fmt_limit(soft)}"
    if code == errno.ENFILE:
        total = (sysctl("fs.file-max") or sysctl("kern.maxfiles") or [None])[0]
        return f"ENFILE: the whole system's open-file limit, {fmt_limit(total)}"
    if code in (errno.ENOBUFS, errno.ENOMEM):
        return f"{name}: the kernel is out of memory for sockets"
    if code == errno.EADDRNOTAVAIL:
        first, last = port_range()
        return (f"EADDRNOTAVAIL: no free port on this source address "
                f"(ports {first}-{last}: {last - first + 1:,} per address)")
    return f"{name}: {exc}"


# --- the server's meter -----------------------------------------------------

def rss_bytes():
    """This process's resident memory now (Linux), or its peak (elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def plural(n, word):
    """plural(2, "thread") == "2 threads" """
    if n == 1:
        return f"1 {word}"
    return f"{n:,} {word}" + ("es" if word.endswith("s") else "s")


class Meter:
    """Counts a server's connections; prints progress, then a conclusion."""

    def __init__(self, report=False):
        self.lock = threading.Lock()  # threads open and close concurrently
        self.count = 0
        self.first = self.last = None  # times of the first and latest change
        self.shown, self.next_print, self.concluded = 0, 0.0, True
        self.wall = None
        self.rss0 = rss_bytes()  # before any load: the baseline
        # One of several processes (server_group.py): report to it instead.
        self.report, self.reported, self.parent = report, None, os.getppid()

    def opened(self):
        with self.lock:
            self.count += 1
            self.last = time.monotonic()
            if self.first is None:
                self.first = self.last

    def closed(self):
        with self.lock:
            self.count -= 1
            self.last = time.monotonic()

    def hit_wall(self, exc):
        """A limit stopped the ramp: say which, and hold what we have."""
        if self.wall is None:
            self.wall, *details = describe_wall(exc).split("\n")
            if self.report:
                return send_report(wall=[self.wall, *details])
            log(f"server: WALL: {self.wall}")
            for line in details:
                log(f"server:   {line}")
            log("server: stopped accepting; holding the connections it has")

    def tick(self):
        """Call a few times a second from the server's loop."""
        if self.report:
            return self.tick_report()
        now, n = time.monotonic(), self.count
        threads = plural(threading.active_count(), "thread")
        if n != self.shown and now >= self.next_print:
            log(f"server: {plural(n, 'connection')}, {threads}")
            self.shown, self.next_print, self.concluded = n, now + 1, False
        elif not self.concluded and n == self.shown and now - self.last >= 1:
            self.concluded = True
            if n == 0:
                return
            log(f"server: holding {n:,} idle connections with {threads}")
            if self.wall:  # the run's point: said again at its end, in view
                log(f"server: held at the wall: {self.wall}")
            grew = rss_bytes() - self.rss0
            log(f"server: ramp {self.last - self.first:.2f} s; RSS "
                f"+{grew / 2**20:.1f} MiB = {grew / n / 1024:.1f} KiB "
                "per connection")

    def tick_report(self):
        """One of a group: tell server_group.py what changed; end with it."""
        if os.getppid() != self.parent:  # the group's process is gone
            os._exit(0)
        state = (self.count, threading.active_count())
        if state != self.reported:
            self.reported = state
            # time.monotonic() is one clock for the whole machine (Linux,
            # macOS): the group compares its processes' times
            send_report(n=state[0], threads=state[1], first=self.first,
                        last=self.last, grew=rss_bytes() - self.rss0)


def send_report(**fields):
    """A progress report for a group's process: one line, "@" and JSON."""
    try:
        print("@" + json.dumps(fields), flush=True)
    except BrokenPipeError:  # the group's process is gone: so are we
        os._exit(0)


# --- command line ---------------------------------------------------------

BACKLOG = 4096  # room for connections that arrive faster than accept()


def server_args(description, extra=None):
    """The options every server model takes; `extra(parser)` adds more."""
    import argparse
    parser = argparse.ArgumentParser(
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0,
                        help="port to listen on (default 0: any free port)")
    parser.add_argument("--t0", type=float, default=0,
                        help="time 0 of the [s] stamps, seconds since the "
                             "epoch (default: now)")
    parser.add_argument("--reuse-port", action="store_true",
                        help="share the port with other processes "
                             "(SO_REUSEPORT: the kernel spreads connections)")
    parser.add_argument("--report", action="store_true",
                        help="one of several processes: print progress as "
                             "reports for server_group.py")
    if extra:
        extra(parser)
    args = parser.parse_args()
    set_clock(args.t0)
    return args
