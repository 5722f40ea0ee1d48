"""Not faster: async is for many waiting clients, not for a few busy ones.

busy:   a few connections send small requests as fast as they can. Threads
        serve them as fast as asyncio, or faster.
sleepy: many connections mostly wait. Here asyncio wins, on memory: a
        waiting coroutine costs far less than a waiting thread.
Starts the chosen server, then the clients as a separate process.
"""
import argparse
import os
import sys

sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared"))  # demos/shared
from launch import run  # noqa: E402


def main():
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--server", choices=["threads", "asyncio"],
                        default="threads", help="which server (default threads)")
    parser.add_argument("--mode", choices=["busy", "sleepy"], default="busy",
                        help="busy or sleepy clients (default busy)")
    parser.add_argument("--busy", type=int, default=4,
                        help="busy connections, 1-32 (default 4)")
    parser.add_argument("--sleepy", type=int, default=2000,
                        help="sleepy connections, 1-5000 (default 2000)")
    parser.add_argument("--seconds", type=float, default=5,
                        help="how long the clients run, 1-60 (default 5)")
    parser.add_argument("--json", action="store_true",
                        help="also print the figures as one JSON line")
    args = parser.parse_args()
    if not (1 <= args.busy <= 32 and 1 <= args.sleepy <= 5000
            and 1 <= args.seconds <= 60):
        parser.error("--busy must be 1-32, --sleepy 1-5000, --seconds 1-60")
    count = args.busy if args.mode == "busy" else args.sleepy
    clients = ["clients.py", "--port", "{port}", "--mode", args.mode,
               "--connections", str(count), "--seconds", str(args.seconds),
               "--label", args.server] + (["--json"] if args.json else [])
    return run([[f"server_{args.server}.py"], clients])


if __name__ == "__main__":
    sys.exit(main())
