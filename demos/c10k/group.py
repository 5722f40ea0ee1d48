"""Several processes as one: start them, read their reports, add them up.

server_group.py (N servers sharing one port) and client_group.py (M load
generators) each start their members with --report: a member then prints
its progress as "@{json}" lines instead of sentences, and the group reads
them all in one thread (a selector over their pipes), keeps each member's
latest report, and speaks for them. Any other line a member prints (an
error, a traceback) is passed on, with the member's name.
"""
import json
import os
import selectors
import signal
import subprocess
import sys
import time

from c10k_common import log

HERE = os.path.dirname(os.path.abspath(__file__))


class Member:
    def __init__(self, name, proc):
        self.name, self.proc = name, proc
        self.report = {}  # the latest value of each field it reported
        self.buffer = b""


class Group:
    def __init__(self):
        self.members = []
        self.selector = selectors.DefaultSelector()

    def start(self, name, script, *args):
        """Start `script` (in this folder) with --report; return the member."""
        argv = [sys.executable, "-u", os.path.join(HERE, script), "--report",
                *map(str, args)]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE)
        member = Member(name, proc)
        os.set_blocking(proc.stdout.fileno(), False)
        self.selector.register(proc.stdout, selectors.EVENT_READ, member)
        self.members.append(member)
        return member

    def poll(self, timeout):
        """Wait up to `timeout` s; returns (member, line) of each line that
        is not a report (reports update member.report)."""
        lines = []
        for key, _ in self.selector.select(timeout):
            member = key.data
            try:
                chunk = os.read(key.fileobj.fileno(), 65536)
            except BlockingIOError:
                continue
            if not chunk:  # it exited
                self.selector.unregister(key.fileobj)
                continue
            member.buffer += chunk
            *whole, member.buffer = member.buffer.split(b"\n")
            for raw in whole:
                line = raw.decode(errors="replace")
                if line.startswith("@"):
                    try:
                        member.report.update(json.loads(line[1:]))
                        continue
                    except ValueError:
                        pass
                lines.append((member, line))
        return lines

    def total(self, field):
        return sum(m.report.get(field) or 0 for m in self.members)

    def reported(self, field):
        """The members that reported `field`, with its value."""
        return [(m, m.report[field]) for m in self.members
                if m.report.get(field) is not None]

    def run(self, side, tick):
        """Pass on what members say, and call tick() a few times a second,
        until all of them exited (1) or we are asked to stop (0); then end
        them all. One that exits is said, and the others go on."""
        said = set()
        try:
            while True:
                for member, line in self.poll(0.25):
                    log(f"{side}: {member.name}: {line}")
                for m in self.members:
                    if m.proc.poll() is not None and m not in said:
                        said.add(m)
                        code = m.proc.returncode
                        how = (f"killed by signal {-code}" if code < 0
                               else f"status {code}")
                        log(f"{side}: {m.name} exited ({how}); "
                            f"{len(self.members) - len(said)} go on")
                        m.report = {}  # it holds nothing now
                if len(said) == len(self.members):
                    return 1
                tick()
        except KeyboardInterrupt:
            return 0
        finally:
            self.stop()

    def stop(self):
        """End every member at once: each dies at its first signal (the
        kernel closes its sockets), so there is nothing to wait for but
        that."""
        for m in self.members:
            if m.proc.poll() is None:
                try:
                    m.proc.send_signal(signal.SIGKILL)
                except OSError:
                    pass
        for m in self.members:
            m.proc.wait()


def ask_to_stop():
    """SIGTERM, SIGHUP and SIGINT raise KeyboardInterrupt: the group then
    ends its members before it exits. Once: Stop sends more than one (Ctrl-C,
    then SIGTERM), and the ones after are let go. (The handler stays: setting
    SIG_IGN while a signal is on its way makes Python raise OSError.)"""
    stopping = []

    def interrupt(signum, frame):
        if not stopping:
            stopping.append(signum)
            raise KeyboardInterrupt
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, interrupt)


def every(seconds):
    """A function that says True at most once every `seconds`."""
    state = {"next": 0.0}

    def due():
        now = time.monotonic()
        if now >= state["next"]:
            state["next"] = now + seconds
            return True
        return False
    return due
