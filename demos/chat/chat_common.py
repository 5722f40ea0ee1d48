"""Shared by both chat programs: options, clock, banner, the bots' script, and the
room's server started as a process of its own (so the meters measure the server alone:
the bots and your terminal are its clients, in the program that started it)."""
import argparse
import os
import subprocess
import sys
import time

HOST = "127.0.0.1"
ME = "you"  # the name your terminal joins the room with
BOT_NAMES = ["alice", "bob", "carol", "dave", "erin"]
BOT_LINES = [
    "the pizza is hot, who wants a slice?",
    "I'm mostly idle, like a WebSocket",
    "one thread per client? that's a lot of memory",
    "C10K: ten thousand clients on one server",
    "anyone else waiting on a slow backend?",
    "the event loop says: your turn",
]
START = time.monotonic()


def elapsed():
    return time.monotonic() - START


def stamp():
    return f"[{elapsed():.1f}s]"


def parse_args(doc):
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=doc, formatter_class=raw)
    parser.add_argument("--bots", type=int, default=2, choices=range(6),
                        help="how many scripted clients join the room (default 2)")
    parser.add_argument("--interval", type=float, default=5.0,
                        help="seconds between one bot's messages (default 5)")
    parser.add_argument("--time-limit", type=int, default=590,
                        help="close the room after this many seconds (default 590)")
    parser.add_argument("--serve", type=int, metavar="FD",
                        help=argparse.SUPPRESS)  # the server process: reports on FD
    args = parser.parse_args()
    if args.interval < 0.1 or args.time_limit < 1:
        parser.error("--interval must be at least 0.1 and --time-limit at least 1")
    return args


def banner(model, port, args):
    bots = ", ".join(BOT_NAMES[:args.bots])
    print(f"Chat room on {HOST}:{port}, served by {model}", flush=True)
    if bots:
        print(f"Bots: {bots} (one line each every {args.interval:g} s)", flush=True)
    print(f"Others can join: nc {HOST} {port}  (first line = a name)", flush=True)
    print("Type a line + Enter to talk. Quit: Ctrl-C or /quit", flush=True)


def first_delay(n, args):
    """Spread the bots' first lines over one interval, so they take turns."""
    return args.interval * (n + 1) / args.bots


def bot_line(n, k):
    return BOT_LINES[(2 * n + k) % len(BOT_LINES)]


def bot_reply(n, line):
    """The first bot answers you, to show your line went through the server."""
    if n == 0 and line.startswith(ME + ": "):
        return f'got "{line[len(ME) + 2:].strip()}" from you, via the server'
    return None


def goodbye(how, relayed, threads, note):
    threads = f"{threads} thread" + ("" if threads == 1 else "s")
    print(f"Closed ({how}) after {elapsed():.1f} s: {relayed} messages; "
          f"{threads}, {note}.", flush=True)


def start_server(script):
    """Runs `script --serve FD` (the room's server) as its own process; returns it, its
    port, and the pipe it reports its figures on when it stops."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen([sys.executable, script, "--serve", str(write_end)],
                              pass_fds=(write_end,), stdin=subprocess.DEVNULL)
    os.close(write_end)
    report = os.fdopen(read_end, encoding="utf-8")
    line = report.readline()
    if not line.strip().isdigit():
        sys.exit("the chat server did not start (see above)")
    return server, int(line), report


def stop_server(server, report):
    """SIGTERM: the server closes every connection and reports "relayed threads clients"."""
    server.terminate()
    figures = report.readline().split()
    server.wait()
    report.close()
    return [int(f) for f in figures] if len(figures) == 3 else [0, 0, 0]


def serving(fd, port):
    """In the server process: where it reports; Ctrl-C is the room owner's, who stops it."""
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    report = os.fdopen(fd, "w", encoding="utf-8")
    print(port, file=report, flush=True)
    return report
