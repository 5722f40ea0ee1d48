"""One fetch with asyncio: the coroutine way, built in since Python 3.4.

The same shape as the blocking code, with `await` where it may wait; the
asyncio Task and event loop do what generators.py builds by hand. While it
waits, the state is fetch()'s local variables, in a suspended coroutine.
When the answer is malformed, the traceback shows crawl() > fetch() > parse().
"""
import argparse
import asyncio
import os
import sys

sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared"))  # demos/shared
from helpers import conclude, parse, request, show_suspended, show_traceback  # noqa: E402
from slow_http_server import SlowServer, log, run  # noqa: E402


async def fetch(port, url):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request(url))
    response = b""
    while True:
        chunk = await reader.read(4096)  # suspends: the loop runs meanwhile
        if not chunk:
            break
        response += chunk
    writer.close()
    return parse(response)


async def crawl(port, url):
    log(f"GET {url}")
    status, body = await fetch(port, url)
    log(f"status {status}: {body!r}")


async def two_pages(port, delay):
    task = asyncio.create_task(crawl(port, f"/page?delay={delay:g}"))
    await asyncio.sleep(0.1)  # meanwhile the task starts, then waits
    show_suspended(task.get_coro())
    await task
    log("next, a typo in the status: 2OO")
    try:
        await asyncio.create_task(crawl(port, "/typo?delay=0.2"))
    except ValueError as error:
        conclude("asyncio", show_traceback(error))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delay", type=float, default=1.0,
                        help="seconds the server takes to answer (default 1)")
    args = parser.parse_args()
    with SlowServer() as port:
        asyncio.run(two_pages(port, args.delay))


if __name__ == "__main__":
    run(main)
