"""The subs shop on threads: one thread per request, CPU work in that thread.

A ping gets its own thread and is answered at once, but CPython's GIL lets
only one thread run Python code at a time: no more sandwiches per second.
"""
import socketserver

from subs_common import HOST, log, make_sandwich, parse_request, server_args


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        limit = parse_request(self.rfile.readline())
        if limit is None:
            self.wfile.write(b"pong\n")
        else:
            # (no clock: these threads also wait for each other's GIL, so the
            # clock could not tell a busy machine from a busy interpreter)
            self.wfile.write(make_sandwich(limit, clock=False).encode())


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass  # a client that left, or a server that is stopping: no traceback


if __name__ == "__main__":
    args = server_args(__doc__).parse_args()
    with Server((HOST, args.port), Handler) as server:
        port = server.server_address[1]
        log(f"threads server on {HOST}:{port}")
        server.serve_forever()  # until a signal ends the process
