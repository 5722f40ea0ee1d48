"""What the three crawlers share: the URLs to fetch (each with its own delay),
a log of when each one started and finished, and the closing chart.
"""
import argparse
import os
import random
import sys
import time

sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared"))  # demos/shared
from slow_http_server import log  # noqa: E402

START, DONE = {}, {}


def parse_args(doc, workers=False):
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=5,
                        help="how many URLs to fetch, 1 to 20 (default 5)")
    parser.add_argument("--max-delay", type=float, default=1.0,
                        help="the slowest URL's delay in seconds (default 1);"
                             " the others take 1/count, 2/count... of it")
    if workers:
        parser.add_argument("--workers", type=int, default=3,
                            help="how many worker tasks, 1 to 20 (default 3)")
    args = parser.parse_args()
    if workers and not 1 <= args.workers <= 20:
        parser.error("use --workers 1..20")
    if not 1 <= args.count <= 20 or not 0 < args.max_delay <= 10:
        parser.error("use --count 1..20 and --max-delay up to 10")
    return args


def urls(count, max_delay):
    """/1?delay=0.6, /2?delay=0.2, ...: delays spread up to max_delay, shuffled."""
    delays = [round(max_delay * k / count, 2) for k in range(1, count + 1)]
    random.Random(count).shuffle(delays)
    return [f"/{n}?delay={d:g}" for n, d in enumerate(delays, 1)]


def started(url):
    START[url] = time.perf_counter()
    log(f"{url:<13} started")


def finished(url, response):
    DONE[url] = time.perf_counter()
    status = response.split(b"\r\n", 1)[0].split()[1].decode()  # "200"
    log(f"{url:<13} done: {status}, {len(response)} B")


def report(variant, urls, took, workers=None):
    """The timeline chart, the delays, then the verdict: took vs the sum and
    the longest. Narrow (40 columns): two terminals share a projector's width.

    With `workers` (fewer than the URLs), at most that many run at once.
    """
    delays = [float(url.split("=")[1]) for url in urls]
    total, longest = sum(delays), max(delays)
    bar, width = 24, max(len(url) for url in urls)
    t0, scale = min(START.values()), bar / max(took, 0.001)
    print(f"timeline, 0 to {took:.2f} s:", flush=True)
    for url in urls:
        a = round((START[url] - t0) * scale)
        b = max(round((DONE[url] - t0) * scale), a + 1)
        print(f"  {url:<{width}}|{' ' * a}{'#' * (b - a)}{' ' * (bar - b)}|", flush=True)
    print(f"delays: sum {total:.2f} s, longest {longest:.2f} s", flush=True)
    if len(urls) == 1:
        verdict = "about its delay"
    elif workers and workers < len(urls):
        verdict = f"at most {workers} at a time"
    elif abs(took - total) < abs(took - longest):
        verdict = "about the sum of the delays"
    else:
        verdict = "about the longest delay, not the sum"
    n = f"{len(urls)} URLs" if len(urls) > 1 else "1 URL"
    print(f"{variant}: {n} in {took:.2f} s,\n  {verdict}", flush=True)
