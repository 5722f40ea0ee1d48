"""A thread per connection: each client's loop is plain blocking code.

For a few busy connections this is hard to beat: a thread waiting in recv()
costs nothing, and when data comes the kernel wakes exactly that thread.
Each thread keeps a stack and its own state, though: idle clients cost memory.
"""
import socketserver
import threading

from nf_common import HOST, log, server_args, stats

connections = 0
lock = threading.Lock()


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        global connections
        with lock:
            connections += 1
        try:
            for line in self.rfile:  # this thread sleeps until a line comes
                if line == b"stats\n":
                    self.wfile.write(stats(connections))
                else:
                    self.wfile.write(b"ok " + line)  # the response
        finally:
            with lock:
                connections -= 1


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    request_queue_size = 4096  # let a ramp of clients queue

    def handle_error(self, request, client_address):
        pass  # a client that left: no traceback


if __name__ == "__main__":
    args = server_args(__doc__).parse_args()
    with Server((HOST, args.port), Handler) as server:
        port = server.server_address[1]
        log(f"threads server on {HOST}:{port}: a thread per connection")
        server.serve_forever()  # until a signal ends the process
