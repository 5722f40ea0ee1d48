"""Run the demo: start a chat server, then a client that sends it one message.

The server (the process under test) and the client are separate processes.
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

SERVERS = {"protocol": "chat_protocol.py", "streams": "chat_streams.py"}
HERE = os.path.dirname(os.path.abspath(__file__))


def stop_on(signum, frame):
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)  # once is enough: now clean up
    raise KeyboardInterrupt


def start(script, *args, out):
    return subprocess.Popen([sys.executable, os.path.join(HERE, script), *args],
                            stdout=out, stderr=out, cwd=HERE)


def stop_after(client, server):
    """When the client is done, stop the server (it prints its summary)."""
    client.wait()
    time.sleep(0.1)
    server.send_signal(signal.SIGINT)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("variant", choices=SERVERS, help="which chat server to run")
    parser.add_argument("--full", choices=["true", "false"], default="false",
                        help="also print the whole, untrimmed stack (default false)")
    args = parser.parse_args()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop_on)
    os.environ["DEMO_START"] = str(time.monotonic())  # one clock for all
    read_end, write_end = os.pipe()
    server = start(SERVERS[args.variant], *(["--full"] if args.full == "true" else []),
                   out=write_end)
    children = [server]
    try:
        with open(read_end, encoding="utf-8", errors="replace") as output:
            for line in output:
                print(line, end="", flush=True)
                found = re.search(r"listening on ([\d.]+):(\d+)", line)
                if found and len(children) == 1:
                    client = start("client.py", "--host", found[1], "--port", found[2],
                                   out=write_end)
                    children.append(client)
                    os.close(write_end)  # only the children write now: EOF when done
                    threading.Thread(target=stop_after, args=(client, server),
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
