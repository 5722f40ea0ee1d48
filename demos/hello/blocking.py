"""Blocking sockets: fetch N requests one after another.

Each request waits for its answer before the next one starts, so the total
time is about N x the server's delay. Compare with selectors_loop.py.
"""
import argparse
import socket
import sys
import time

from slow_line_server import SlowServer, log


def fetch(port, n):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"request {n}\n".encode())
        log(f"#{n} request sent, waiting...")
        answer = b""
        while True:
            chunk = sock.recv(4096)  # blocks: nothing else happens meanwhile
            if not chunk:
                break
            answer += chunk
    log(f"#{n} received {answer.decode().strip()!r}")


def main():
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--count", type=int, default=3,
                        help="how many requests (default 3)")
    parser.add_argument("--delay", type=float, default=0.5,
                        help="seconds the server takes per answer (default 0.5)")
    args = parser.parse_args()

    with SlowServer(args.delay) as port:
        log(f"slow server: {args.delay:.2f} s per answer")
        start = time.perf_counter()
        for n in range(1, args.count + 1):
            fetch(port, n)
        took = time.perf_counter() - start
    requests = "request" if args.count == 1 else "requests"
    waits = "1 wait" if args.count == 1 else f"{args.count} waits, in turn"
    print(f"{args.count} {requests} in {took:.2f} s: {waits}", flush=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("\nInterrupted.", flush=True)
        sys.exit(130)
