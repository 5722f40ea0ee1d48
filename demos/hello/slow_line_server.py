"""A slow local TCP server (the "slow backend") and a clock, for the hello samples.

Each connection gets its own thread; it reads one request line, waits `delay`
seconds, answers and closes. So the server itself handles requests in parallel:
any waiting you see is the client's doing.
"""
import socketserver
import threading
import time

START = time.perf_counter()


def log(message):
    """Print a line stamped with the seconds since the program started."""
    print(f"[{time.perf_counter() - START:.2f}s] {message}", flush=True)


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        request = self.rfile.readline().strip()
        if not self.server.stopping.wait(self.server.delay):  # the slow part
            self.wfile.write(b"answer to " + request + b"\n")


class SlowServer(socketserver.ThreadingTCPServer):
    """`with SlowServer(delay) as port:` serves on 127.0.0.1, any free port."""

    request_queue_size = 64  # let all clients connect at once

    def __init__(self, delay):
        super().__init__(("127.0.0.1", 0), _Handler)  # port 0: any free port
        self.delay = delay
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,))

    def __enter__(self):
        self._thread.start()
        return self.server_address[1]

    def __exit__(self, *exc):
        self.stopping.set()  # cut short any answer still waiting
        self.shutdown()
        self._thread.join()
        self.server_close()  # also waits for the connection threads
