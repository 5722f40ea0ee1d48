"""Run the demo: a chat server with a slow request, and clients that time it.

The server (the process under test) and the clients are separate processes.
Both write to one pipe, so their lines appear in the order they happened.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def stop_on(signum, frame):
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)  # once is enough: now clean up
    raise KeyboardInterrupt


def start(script, *args, out):
    return subprocess.Popen([sys.executable, os.path.join(HERE, script), *args],
                            stdout=out, stderr=out, cwd=HERE)


def stop_after(clients, server):
    """When the clients are done, stop the server."""
    clients.wait()
    server.terminate()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=["blocking", "non-blocking"],
                        help="how the server's /slow request waits")
    parser.add_argument("--sleep", type=float, default=2.0,
                        help="seconds /slow waits, 0.1 to 10 (default 2)")
    parser.add_argument("--clients", type=int, default=3, choices=range(2, 7),
                        help="how many clients ping, 2 to 6 (default 3)")
    parser.add_argument("--json", action="store_true",
                        help="the clients also print their results as JSON")
    args = parser.parse_args()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop_on)
    os.environ["DEMO_START"] = str(time.monotonic())  # one clock for all
    read_end, write_end = os.pipe()
    server = start("chat_server.py", "--mode", args.mode, "--sleep", str(args.sleep),
                   out=write_end)
    children = [server]
    try:
        with open(read_end, encoding="utf-8", errors="replace") as output:
            for line in output:
                print(line, end="", flush=True)
                found = re.search(r"listening on ([\d.]+):(\d+)", line)
                if found and len(children) == 1:
                    clients = start("clients.py", "--host", found[1], "--port", found[2],
                                    "--clients", str(args.clients),
                                    "--sleep", str(args.sleep), "--mode", args.mode,
                                    *(["--json"] if args.json else []), out=write_end)
                    children.append(clients)
                    os.close(write_end)  # only the children write now: EOF when done
                    threading.Thread(target=stop_after, args=(clients, server),
                                     daemon=True).start()
    except KeyboardInterrupt:
        print(flush=True)
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            child.wait()


if __name__ == "__main__":
    main()
