"""Pizza: a slow backend, many clients, three servers.

Starts the backend (every answer takes DELAY seconds), the chosen server,
and N clients that all order at once, each a separate process. A pool of
10 threads bakes 10 orders at a time; asyncio bakes them all at once; and
asyncio with one blocking call in the coroutine bakes one at a time.
"""
import argparse
import os
import sys

sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared"))  # demos/shared
from launch import run  # noqa: E402

SERVERS = {
    "threads": (["server_threads.py"], "a pool of {pool} threads"),
    "asyncio": (["server_asyncio.py"], "asyncio"),
    "asyncio-blocking": (["server_asyncio.py", "--driver", "blocking"],
                         "asyncio + a blocking driver"),
}


def main():
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--server", choices=SERVERS, default="threads",
                        help="which server to run (default threads)")
    parser.add_argument("--clients", type=int, default=100,
                        help="clients ordering at once, 1-500 (default 100)")
    parser.add_argument("--delay", type=float, default=1.0,
                        help="seconds the backend takes, 0.05-5 (default 1)")
    parser.add_argument("--pool", type=int, default=10,
                        help="threads in the threads server's pool (default 10)")
    parser.add_argument("--json", action="store_true",
                        help="also print the figures as one JSON line")
    args = parser.parse_args()
    if not (1 <= args.clients <= 500 and 0.05 <= args.delay <= 5
            and 1 <= args.pool <= 500):
        parser.error("--clients and --pool must be 1-500, --delay 0.05-5")
    server, label = SERVERS[args.server]
    if args.server == "threads":
        server = server + ["--pool", str(args.pool)]
    clients = ["clients.py", "--port", "{port}", "--clients", str(args.clients),
               "--delay", str(args.delay), "--label", label.format(**vars(args))]
    return run([["backend.py", "--delay", str(args.delay)],
                server + ["--backend", "{port}"],
                clients + (["--json"] if args.json else [])])


if __name__ == "__main__":
    sys.exit(main())
