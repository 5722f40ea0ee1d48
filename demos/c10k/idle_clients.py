"""Load generator: open N idle TCP connections, in steps, and hold them.

One process, one thread: non-blocking connects watched by a selector, so
the generator stays small whatever the server does. Each source address
(127.0.0.1, then 127.0.0.2, .3, ...) has its own ephemeral port range;
we move to the next address before one's ports run out. If a limit stops
the ramp, we say which and hold the connections we have.
"""
import argparse
import errno
import selectors
import socket
import struct
import sys
import time

from c10k_common import (describe_wall, die_on_signals, fd_limit_line, log,
                         plural, port_range, raise_fd_limit, send_report,
                         set_clock)

# SO_LINGER on, 0 s: close() resets the connection instead of the FIN
# handshake, so tearing 100,000 down leaves no TIME_WAIT rows behind.
RESET_ON_CLOSE = struct.pack("ii", 1, 0)
# Linux: bind() takes the address only and connect() picks the port. A
# bind() to port 0 picks it itself, from the odd half of the range first,
# and then searches the whole range for each of the rest: the ramp would
# crawl after ~14,000 connections on one address.
BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT",
                               24 if sys.platform.startswith("linux") else None)

STEPS_PER_SECOND = 10
MAX_CONNECTING = 2000  # connects in flight at once


class IdleClients:
    def __init__(self, host, port, target, per_address, first_address=1,
                 reset=False, report=False):
        self.server, self.target = (host, port), target
        self.per_address = per_address
        self.selector = selectors.DefaultSelector()
        # source address in use: 127.0.0.(address + 1), 0 the kernel's choice
        self.address, self.on_address = first_address - 1, 0
        self.first_address = first_address
        self.opened = self.connecting = self.connected = self.lost = 0
        self.wall = None
        self.reset, self.report = reset, report

    def source(self):
        """The next source address: the kernel's choice, then 127.0.0.2, ..."""
        if self.on_address >= self.per_address and self.address < 250:
            self.address, self.on_address = self.address + 1, 0
        self.on_address += 1
        return None if self.address == 0 else f"127.0.0.{self.address + 1}"

    def open_one(self):
        sock = None
        try:
            sock = socket.socket()  # EMFILE here when out of descriptors
            sock.setblocking(False)
            if self.reset:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                RESET_ON_CLOSE)
            src = self.source()
            if src:
                if BIND_ADDRESS_NO_PORT:
                    sock.setsockopt(socket.IPPROTO_IP, BIND_ADDRESS_NO_PORT, 1)
                try:
                    sock.bind((src, 0))
                except OSError as exc:
                    if (exc.errno != errno.EADDRNOTAVAIL or self.address != 1
                            or self.first_address > 1):
                        raise
                    log(f"client: can't use {src} as a source address "
                        f"(macOS: sudo ifconfig lo0 alias {src}); "
                        "staying on 127.0.0.1")
                    self.address, self.per_address = 0, float("inf")
            err = sock.connect_ex(self.server)  # starts the handshake
            if err not in (0, errno.EINPROGRESS, errno.EAGAIN):
                raise OSError(err, errno.errorcode.get(err, str(err)))
        except OSError as exc:
            if sock:
                sock.close()
            return self.stop(exc)
        self.selector.register(sock, selectors.EVENT_WRITE, self.on_connect)
        self.opened += 1
        self.connecting += 1

    def on_connect(self, sock):
        self.connecting -= 1
        err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            self.selector.unregister(sock)
            sock.close()
            return self.stop(OSError(err, errno.errorcode.get(err, "")))
        self.connected += 1
        self.selector.modify(sock, selectors.EVENT_READ, self.on_readable)

    def on_readable(self, sock):
        """An idle connection became readable: the server closed it."""
        try:
            if sock.recv(1024):
                return  # the server said something; stay connected
        except OSError:
            pass
        self.selector.unregister(sock)
        sock.close()
        self.lost += 1
        if self.opened < self.target:  # while ramping: the server's wall
            self.stop(ConnectionResetError(errno.ECONNRESET, "reset"))

    def stop(self, exc):
        """A limit stopped the ramp: say which one, then hold."""
        if self.wall is None:
            self.abandon()
            code = getattr(exc, "errno", None)
            if code in (errno.ECONNREFUSED, errno.ECONNRESET):
                self.wall = (f"{errno.errorcode[code]}, the server stopped "
                             "accepting" + " (see its output)" * (
                                 not self.report))
            else:
                self.wall = describe_wall(exc).replace("\n", "; ")
            if self.report:
                return send_report(stop=self.wall)
            log(f"client: ramp stopped: {self.wall}")
            log(f"client: opening no more ({self.holding:,} connected "
                "so far); holding them")

    @property
    def holding(self):
        return self.connected - self.lost

    def abandon(self):
        """Close the connects still in flight: past a wall they are not
        going to be held, and a dropped SYN is retried for seconds."""
        for key in list(self.selector.get_map().values()):
            if key.data == self.on_connect:
                self.selector.unregister(key.fileobj)
                key.fileobj.close()
                self.connecting -= 1

    def probe(self):
        """After a wall: one byte on each connection. A connection the
        server never accepted (its listener closed with the handshake still
        queued) is half-open: only our side knows it. The byte makes the
        server's kernel reset it, so it stops counting here too."""
        for key in list(self.selector.get_map().values()):
            if key.data == self.on_readable:
                try:
                    key.fileobj.send(b"?")
                except OSError:
                    pass  # reset already: the selector reports it

    def run_once(self, timeout):
        for key, mask in self.selector.select(timeout):
            if key.fileobj.fileno() < 0:
                continue  # closed by a callback before it (abandon)
            callback = key.data
            callback(key.fileobj)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1",
                        help="server address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, required=True, help="server port")
    parser.add_argument("--connections", type=int, default=10_000,
                        help="how many idle connections (default 10,000)")
    parser.add_argument("--rate", type=int, default=5000,
                        help="new connections per second (default 5,000)")
    parser.add_argument("--hold", type=float, default=0,
                        help="seconds to hold them, then exit "
                             "(default 0: until Ctrl-C)")
    parser.add_argument("--per-address", type=int, default=0,
                        help="connections per source address (default: 90%% "
                             "of the ephemeral port range)")
    parser.add_argument("--first-address", type=int, default=1,
                        help="first source address: 127.0.0.N (default 1: "
                             "the kernel's choice, then 127.0.0.2, ...)")
    parser.add_argument("--reset", action="store_true",
                        help="reset connections when closing them (no "
                             "TIME_WAIT left behind)")
    parser.add_argument("--report", action="store_true",
                        help="one of several processes: print progress as "
                             "reports for client_group.py")
    parser.add_argument("--t0", type=float, default=0,
                        help="time 0 of the [s] stamps, seconds since the "
                             "epoch (default: now)")
    args = parser.parse_args()
    set_clock(args.t0)
    die_on_signals()

    first, last = port_range()
    ports = last - first + 1
    if args.report:
        raise_fd_limit()
    else:
        log(f"client: {fd_limit_line()}")
        log(f"client: ephemeral ports {first}-{last}: {ports:,} per source "
            "address")
    target, step = args.connections, max(1, args.rate // STEPS_PER_SECOND)
    clients = IdleClients(args.host, args.port, target,
                          args.per_address or int(ports * 0.9),
                          args.first_address, args.reset, args.report)
    if not args.report:
        log(f"client: ramping to {target:,} idle connections, "
            f"{args.rate:,} per second")

    start = next_step = next_print = time.monotonic()
    last_change, state, shown, done_at = start, None, None, None
    probed = False
    while True:
        now = time.monotonic()
        ramping = clients.opened < target and clients.wall is None
        if ramping and now >= next_step:  # open the next step's connections
            for _ in range(step):
                if (clients.opened >= target or clients.wall
                        or clients.connecting >= MAX_CONNECTING):
                    break
                clients.open_one()
            next_step += 1 / STEPS_PER_SECOND
        wait = next_step - now if ramping else 0.1 if done_at is None else 0.5
        clients.run_once(max(0.0, wait))

        now = time.monotonic()
        if (clients.holding, clients.connecting) != state:
            state, last_change, done_at = (
                (clients.holding, clients.connecting), now, None)
        if (clients.wall and not probed and clients.connecting == 0
                and now - last_change >= 0.5):
            probed = True  # then wait for the resets, if any, to settle
            clients.probe()
            last_change = now
            continue
        if args.report:  # to client_group.py, which speaks for us all
            if now >= next_print and state != shown:
                send_report(holding=state[0], connecting=state[1],
                            lost=clients.lost, connected=clients.connected,
                            addresses=clients.address - args.first_address + 2)
                shown, next_print = state, now + 0.25
            settled = (not ramping and clients.connecting == 0
                       and now - last_change >= 0.5 and state == shown)
            if settled and done_at is None:
                done_at = now
                send_report(done=round(last_change - start, 3))
            continue
        if now >= next_print and state != shown:
            more = f", {clients.connecting:,} connecting" * bool(state[1])
            if clients.lost:
                more += f", {clients.lost:,} closed by the server"
            if clients.address:
                more += f", from {clients.address + 1} addresses"
            log(f"client: {clients.holding:,} connected{more}")
            shown, next_print = state, now + 1
        settled = (not ramping and clients.connecting == 0
                   and now - last_change >= 0.5)
        if settled and done_at is None:
            done_at = now
            addresses = plural(clients.address + 1, "source address")
            log(f"client: holding {clients.holding:,} idle connections "
                f"from {addresses} (ramp {last_change - start:.2f} s)")
            if clients.lost:
                log(f"client: the server closed {clients.lost:,} of "
                    f"{clients.connected:,} (see its output)")
        if args.hold and done_at and now - done_at >= args.hold:
            log(f"client: held them {args.hold:g} s; done")
            return

if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
    sys.exit(0)
