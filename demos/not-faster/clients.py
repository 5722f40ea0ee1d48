"""Load generator for the not-faster servers: a few busy clients or many sleepy ones.

busy:   N connections (a thread each) send small requests back to back, as
        fast as the server answers, for S seconds: requests per second.
sleepy: N connections that each send one request every ~INTERVAL seconds and
        otherwise wait: what does holding them cost the server in memory?
Both end by asking the server for its own figures ("stats").
"""
import argparse
import asyncio
import json
import random
import socket
import sys
import threading
import time

from nf_common import HOST, exit_on_signals, log, raise_fd_limit

KiB, MiB = 1024, 1024 * 1024


def parse_stats(line):
    """b"stats connections=4 threads=5 rss=123 baseline=100" -> dict of ints"""
    return {k: int(v) for k, v in
            (word.split("=") for word in line.decode().split()[1:])}


def ask_stats(sock_file):
    sock_file.write(b"stats\n")
    sock_file.flush()
    return parse_stats(sock_file.readline())


def busy(args):
    counts = [0] * args.connections
    stop = time.monotonic() + args.seconds

    def client(n):
        with socket.create_connection((HOST, args.port)) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            lines = sock.makefile("rb")
            while time.monotonic() < stop:
                sock.sendall(b"ping\n")  # one small request...
                if not lines.readline():  # ...wait for its response, repeat
                    raise ConnectionError("server closed the connection")
                counts[n] += 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True)
               for n in range(args.connections)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    shown, last, server = start, 0, None
    with socket.create_connection((HOST, args.port)) as sock:  # for "stats"
        while any(thread.is_alive() for thread in threads):
            time.sleep(0.05)
            if server is None and time.monotonic() > stop - 0.3:
                server = ask_stats(sock.makefile("rwb"))  # while still busy
                # The meters' final reading is the last one before this line.
                log(f"load ends: {args.connections} connections close")
            if time.monotonic() - shown >= 1:
                total = sum(counts)
                rate = (total - last) / (time.monotonic() - shown)
                log(f"{rate:8,.0f} requests/s")
                shown, last = time.monotonic(), total
    rate = sum(counts) / (time.monotonic() - start)
    return {"rate": rate, "requests": sum(counts)}, server


async def sleepy(args):
    def connection():
        return asyncio.open_connection(HOST, args.port)

    async def sleeper(reader, writer):
        while True:
            await asyncio.sleep(random.uniform(0, 2 * args.interval))
            writer.write(b"ping\n")  # a rare request
            await reader.readline()
            sent[0] += 1

    async def stats():
        writer.write(b"stats\n")
        return parse_stats(await reader.readline())

    sent = [0]
    reader, writer = await connection()  # our line for "stats"
    opened = []
    for n in range(args.connections):
        opened.append(await connection())
        if (n + 1) % 500 == 0 or n + 1 == args.connections:
            log(f"{n + 1:5} sleepy connections open")
    tasks = [asyncio.ensure_future(sleeper(*pair)) for pair in opened]
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        await asyncio.sleep(min(2, max(0, end - time.monotonic())))
        server = await stats()
        threads = "thread" if server["threads"] == 1 else "threads"
        log(f"server: {server['connections']} connections, "
            f"{server['threads']} {threads}, RSS {server['rss'] / MiB:.1f} MiB; "
            f"{sent[0]} requests so far")
    log(f"load ends: {len(opened)} connections close")
    for task in tasks:
        task.cancel()
    return {"requests": sent[0]}, server


def main():
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--port", type=int, required=True, help="server port")
    parser.add_argument("--mode", choices=["busy", "sleepy"], default="busy")
    parser.add_argument("--connections", type=int, default=4,
                        help="how many connections (default 4)")
    parser.add_argument("--seconds", type=float, default=5,
                        help="how long to run (default 5)")
    parser.add_argument("--interval", type=float, default=5,
                        help="sleepy: mean seconds between requests (default 5)")
    parser.add_argument("--label", default="this server", help="server name")
    parser.add_argument("--json", action="store_true",
                        help="also print the figures as one JSON line")
    args = parser.parse_args()
    if args.mode == "busy":
        log(f"{args.connections} busy connections, requests back to back, "
            f"{args.seconds:g} s")
        mine, server = busy(args)
    else:
        limit = raise_fd_limit()
        if args.connections + 10 > limit:
            sys.exit(f"Open-file limit {limit}: too low for "
                     f"{args.connections} connections.")
        log(f"{args.connections} sleepy connections, one request each "
            f"~{args.interval:g} s")
        mine, server = asyncio.run(sleepy(args))
    rss, added = server["rss"], server["rss"] - server["baseline"]
    per = added / max(1, server["connections"])
    threads = "thread" if server["threads"] == 1 else "threads"
    print(f"server: {server['threads']} {threads}, RSS {rss / MiB:.1f} MiB, "
          f"{added / MiB:+.1f} MiB since it started", flush=True)
    if args.mode == "busy":
        print(f"{args.label}: {args.connections} busy connections, "
              f"{mine['rate']:,.0f} requests/s.", flush=True)
    else:
        print(f"{args.label}: {server['connections']} sleepy connections, "
              f"{per / KiB:.1f} KiB of server memory each.", flush=True)
    if args.json:
        print(json.dumps(dict(mine, mode=args.mode, per_connection=per,
                              **server)), flush=True)
    return 0


if __name__ == "__main__":
    exit_on_signals()
    try:
        sys.exit(main())
    except OSError as e:
        sys.exit(f"Connection failed: {e}")
