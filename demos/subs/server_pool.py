"""The subs shop with a process pool: one sandwich maker per CPU core.

A thread per connection does the talking (so a ping is answered at once);
the CPU work goes to a pool of processes, one per core, each with its own
interpreter and GIL. Throughput grows with cores, not with cleverness.
"""
import multiprocessing
import os
import signal
import socketserver
from concurrent.futures import ProcessPoolExecutor

from subs_common import HOST, log, make_sandwich, parse_request, server_args


def worker_init():
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)  # stop at once, no traceback


def stop_workers():
    workers = multiprocessing.active_children()
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.join(0.5)


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        limit = parse_request(self.rfile.readline())
        if limit is None:
            self.wfile.write(b"pong\n")
        else:
            answer = self.server.pool.submit(make_sandwich, limit).result()
            self.wfile.write(answer.encode())


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass  # a client that left, or a server that is stopping: no traceback


if __name__ == "__main__":
    parser = server_args(__doc__, cleanup=stop_workers)
    parser.add_argument("--workers", type=int, default=os.cpu_count(),
                        help="processes in the pool (default: one per core)")
    args = parser.parse_args()
    pool = ProcessPoolExecutor(max(1, args.workers), initializer=worker_init)
    list(pool.map(abs, range(args.workers)))  # start the workers now
    with Server((HOST, args.port), Handler) as server:
        server.pool = pool
        port = server.server_address[1]
        log(f"pool of {args.workers} on {HOST}:{port}")
        server.serve_forever()  # until a signal ends the process
