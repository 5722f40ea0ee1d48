"""Fetch N slow URLs at once with asyncio: async def, await, gather.

The same fetch as hand_made.py, with asyncio's event loop, Tasks and
streams in place of the hand-made ones: all the waits overlap, so the total
is about the longest delay, in one thread. Compare with sequential.py.
"""
import asyncio
import os
import sys
import time

sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared"))  # demos/shared
from slow_http_server import SlowServer, run  # noqa: E402
from timeline import finished, parse_args, report, started, urls  # noqa: E402


async def crawl(port, url):  # fetch one URL, noting when it starts and ends
    started(url)
    finished(url, await fetch(port, url))


# slide: asyncio
async def fetch(port, url):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {url} HTTP/1.0\r\n\r\n".encode())
    response = await reader.read()  # until the server closes: suspends
    writer.close()
    return response


async def crawl_all(port, todo):  # start them all; wait for all
    await asyncio.gather(*(crawl(port, url) for url in todo))


def main():
    args = parse_args(__doc__)
    todo = urls(args.count, args.max_delay)
    with SlowServer() as port:
        t0 = time.perf_counter()
        asyncio.run(crawl_all(port, todo))  # make a loop, run, close it
        report("asyncio", todo, time.perf_counter() - t0)
# end slide


if __name__ == "__main__":
    run(main)
