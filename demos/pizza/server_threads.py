"""The pizza shop on a pool of threads: each order holds a thread.

While the oven works, the thread just waits; with a pool of 10 threads only
10 orders are in the oven at once, and the 11th client waits for a thread.
"""
import socket
from concurrent.futures import ThreadPoolExecutor

from pizza_common import HOST, bake_blocking, log, server_args


def serve(conn, backend):
    with conn:
        order = conn.makefile("rb").readline()
        conn.sendall(bake_blocking(backend, order))  # blocks this thread


def main(args):
    listener = socket.create_server((HOST, args.port), backlog=1024)
    port = listener.getsockname()[1]
    log(f"server on {HOST}:{port}: a pool of {args.pool} threads")
    with ThreadPoolExecutor(args.pool) as pool:
        while True:
            conn, _ = listener.accept()
            pool.submit(serve, conn, args.backend)


if __name__ == "__main__":
    parser = server_args(__doc__)
    parser.add_argument("--pool", type=int, default=10,
                        help="threads in the pool (default 10)")
    main(parser.parse_args())
