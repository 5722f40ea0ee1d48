"""A slow local HTTP server (the "slow backend"), a clock and a quiet exit.

Shared by the busy-wait, from-scratch and one-fetch samples (plumbing: no slide shows it).

GET /any/path?delay=0.5 answers after 0.5 s (or the server's default delay);
a path starting with /typo gets the status line "HTTP/1.0 2OO OK", which no
parser accepts. The server is asyncio in one background thread: it adds one thread
to the process however many requests wait, and no CPU while they wait.
"""
import asyncio
import os
import signal
import sys
import threading
import time
from urllib.parse import parse_qs, urlsplit

START = time.perf_counter()


def log(message):
    """Print a line stamped with the seconds since the program started."""
    print(f"[{time.perf_counter() - START:.2f}s] {message}", flush=True)


async def _answer(reader, writer, default_delay):
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        url = urlsplit(head.split()[1].decode())
        query = parse_qs(url.query)
        delay = min(float(query.get("delay", [default_delay])[0]), 60.0)
        await asyncio.sleep(delay)  # the slow part
        body = f"{url.path} after {delay:g} s\n".encode()
        status = b"2OO" if url.path.startswith("/typo") else b"200"
        writer.write(b"HTTP/1.0 %s OK\r\nContent-Type: text/plain\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (status, len(body), body))
        await writer.drain()
    except (OSError, EOFError, IndexError, ValueError, asyncio.LimitOverrunError):
        pass  # a client that hung up or sent nonsense: just close
    except asyncio.CancelledError:
        pass  # the server is stopping: drop this answer quietly
    finally:
        writer.close()


class SlowServer:
    """`with SlowServer(delay) as port:` serves HTTP on 127.0.0.1, a free port."""

    def __init__(self, delay=1.0, host="127.0.0.1", port=0):
        self.delay, self.host, self.port = delay, host, port
        self._ready, self._error = threading.Event(), None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        if not self._ready.wait(10) or self._error:
            raise RuntimeError(f"slow server did not start: {self._error}")
        return self.port

    def __exit__(self, *exc):
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(2)

    def _run(self):
        try:
            asyncio.run(self._serve())
        except Exception as e:  # e.g. the port is taken
            self._error = e
            self._ready.set()

    async def _serve(self):
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        server = await asyncio.start_server(
            lambda r, w: _answer(r, w, self.delay), self.host, self.port, backlog=128)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._stop.wait()
        server.close()  # asyncio.run then cancels any answer still waiting


def run(main):
    """Run main(); Ctrl-C, SIGTERM and SIGHUP end it quietly (exit code 130)."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), interrupt)
    try:
        main()
    except BrokenPipeError:  # e.g. piped into `head`: stop printing, quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except KeyboardInterrupt:
        try:
            print("\nInterrupted.", flush=True)
        except OSError:
            pass  # the terminal is gone already
        sys.exit(130)
