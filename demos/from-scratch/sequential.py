"""Fetch N slow URLs one after another, with blocking sockets.

Each fetch waits for its answer before the next one starts, so the total is
about the sum of the delays. Compare with hand_made.py and asyncio_gather.py.
"""
import os
import socket
import sys
import time

sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared"))  # demos/shared
from slow_http_server import SlowServer, run  # noqa: E402
from timeline import finished, parse_args, report, started, urls  # noqa: E402


# slide: blocking
def fetch(port, url):
    sock = socket.create_connection(("127.0.0.1", port))  # waits
    sock.sendall(f"GET {url} HTTP/1.0\r\n\r\n".encode())
    response = b""
    while chunk := sock.recv(4096):  # waits: nothing else runs
        response += chunk
    sock.close()
    return response
# end slide


def crawl(port, url):
    started(url)
    finished(url, fetch(port, url))


def main():
    args = parse_args(__doc__)
    todo = urls(args.count, args.max_delay)
    with SlowServer() as port:
        t0 = time.perf_counter()
        for url in todo:
            crawl(port, url)
        report("sequential", todo, time.perf_counter() - t0)


if __name__ == "__main__":
    run(main)
