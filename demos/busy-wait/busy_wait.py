"""Busy-waiting: poll a non-blocking socket in a loop until the answer comes.

The socket never blocks, so recv() raises BlockingIOError until the slow
server answers, and the loop asks again, millions of times. The program
waits, yet it burns a whole CPU core doing it. Compare with select_wait.py.
"""
import argparse
import os
import socket
import sys
import time

sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared"))  # demos/shared
from slow_http_server import SlowServer, log, run  # noqa: E402


def fetch(port, delay):
    request = f"GET /busy?delay={delay} HTTP/1.0\r\n\r\n".encode()
    polls = 0
    # slide: nonblocking
    sock = socket.socket()
    sock.setblocking(False)
    try:
        sock.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass  # "in progress", not a failure

    while True:  # now... are we connected yet?
        try:
            sock.send(request)
            break
        except OSError:
            polls += 1  # no: ask again, at once
    # end slide
    log("request sent; polling recv()...")
    while True:  # poll until answered
        try:
            answer = sock.recv(4096)
            break
        except BlockingIOError:
            polls += 1  # nothing yet: ask again, right away
            if polls % 1_000_000 == 0:
                log(f"still polling: {polls:,} polls")
    sock.close()
    log(f"answer after {polls:,} polls")
    return polls


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delay", type=float, default=4.0,
                        help="seconds the server takes to answer (default 4)")
    args = parser.parse_args()
    with SlowServer() as port:
        log(f"slow server answers in {args.delay:g} s")
        wall, cpu = time.perf_counter(), time.process_time()
        fetch(port, args.delay)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    # The loop never sleeps: it runs whenever the OS gives it a core. What it
    # burns per second of waiting is all the CPU it was given, whatever else runs.
    print(f"busy-wait: {wall:.1f} s waited, {cpu:.2f} s CPU burnt\n"
          f"  = {cpu / wall:.2f} s of CPU per second of waiting", flush=True)
    if cpu / wall < 0.85:  # it asked for a whole core and got well under one
        print(f"busy machine: it got {100 * cpu / wall:.0f} % of a core;\n"
              "  idle, it would burn a whole one", flush=True)


if __name__ == "__main__":
    run(main)
