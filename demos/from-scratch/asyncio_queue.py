"""Fetch N slow URLs with asyncio and a queue of workers: at most W at once.

The shape the 500 Lines crawler ends with: the URLs go into an asyncio.Queue,
W worker tasks each take one, fetch it, mark it done, and take the next;
crawl_all waits until every URL is done, then cancels the workers. The waits
overlap, but never more than W at a time: a bounded number of sockets and of
memory, however many URLs. Compare with asyncio_gather.py (all at once).
"""
import asyncio
import os
import sys
import time

sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared"))  # demos/shared
from asyncio_gather import crawl  # noqa: E402
from slow_http_server import SlowServer, run  # noqa: E402
from timeline import parse_args, report, urls  # noqa: E402


# slide: queue
async def worker(port, queue):
    while True:
        url = await queue.get()
        await crawl(port, url)
        queue.task_done()


async def crawl_all(port, todo, n):
    queue = asyncio.Queue()
    for url in todo:
        queue.put_nowait(url)
    tasks = [asyncio.create_task(worker(port, queue)) for _ in range(n)]
    await queue.join()  # until every URL is done
    for task in tasks:
        task.cancel()
# end slide


def main():
    args = parse_args(__doc__, workers=True)
    todo = urls(args.count, args.max_delay)
    with SlowServer() as port:
        t0 = time.perf_counter()
        asyncio.run(crawl_all(port, todo, args.workers))
        report(f"asyncio, {args.workers} workers", todo, time.perf_counter() - t0, args.workers)


if __name__ == "__main__":
    run(main)
