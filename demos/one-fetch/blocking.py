"""One fetch, blocking: the plain way, one thread, one request at a time.

fetch() waits in recv(); meanwhile its state (the socket, the response so
far) sits in its local variables, on the thread's stack. When the answer is
malformed, the traceback reads like the code: crawl() > fetch() > parse().
"""
import argparse
import os
import socket
import sys

sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared"))  # demos/shared
from helpers import conclude, parse, request, show_state, show_traceback  # noqa: E402
from slow_http_server import SlowServer, log, run  # noqa: E402


def fetch(port, url):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(request(url))
    response = b""
    show_state("fetch()'s locals, on the stack", locals())
    while True:
        chunk = sock.recv(4096)  # blocks: the whole thread waits here
        if not chunk:
            break
        response += chunk
    sock.close()
    return parse(response)


def crawl(port, url):
    log(f"GET {url}")
    status, body = fetch(port, url)
    log(f"status {status}: {body!r}")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delay", type=float, default=1.0,
                        help="seconds the server takes to answer (default 1)")
    args = parser.parse_args()
    with SlowServer() as port:
        crawl(port, f"/page?delay={args.delay:g}")
        log("next, a typo in the status: 2OO")
        try:
            crawl(port, "/typo?delay=0.2")
        except ValueError as error:
            conclude("blocking", show_traceback(error))


if __name__ == "__main__":
    run(main)
