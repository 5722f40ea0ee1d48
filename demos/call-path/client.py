"""Two chat clients: alice listens, bob sends one message; alice shows what arrives.

Plain blocking sockets: this is the load, not the lesson. The server prints
its stack when bob's line arrives, then sends the line on to alice.
"""
import argparse
import os
import socket
import time

START = float(os.environ.get("DEMO_START", time.monotonic()))  # run.py's clock


def log(text):
    print(f"[{time.monotonic() - START:.2f}s] {text}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="server address")
    parser.add_argument("--port", type=int, required=True, help="server port")
    parser.add_argument("--message", default="hello, everyone", help="bob's line")
    args = parser.parse_args()
    alice = socket.create_connection((args.host, args.port), timeout=10)
    bob = socket.create_connection((args.host, args.port), timeout=10)
    time.sleep(0.2)  # let the server add both to its set of clients
    log(f'bob: sends "{args.message}"')
    bob.sendall(args.message.encode() + b"\n")
    with alice.makefile(encoding="utf-8", errors="replace") as lines:
        log(f'alice: got "{lines.readline().strip()}" from the server')
    bob.close()
    alice.close()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
    except OSError as e:
        log(f"client: {e}")
