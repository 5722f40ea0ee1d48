"""The talk's chat server, as protocol callbacks, showing how on_message is called.

On connect, add me to the set of clients; on message, send it to every other
client; on close, remove me. Inside on_message it prints the real stack: the
event loop's _run_once (after select() returned), the transport's
_read_ready, the protocol's data_received, and then the application.
"""
import argparse
import asyncio
import os
import signal
import sys
import time
import traceback

from stack_view import last_path, print_stack

START = float(os.environ.get("DEMO_START", time.monotonic()))  # run.py's clock
clients = set()
messages = 0


def log(text):
    print(f"[{time.monotonic() - START:.2f}s] server: {text}", flush=True)


class ChatProtocol(asyncio.Protocol):
    def connection_made(self, transport):  # on connect: add me
        self.transport, self.buffer = transport, b""
        clients.add(self)

    def data_received(self, data):  # protocol: bytes in, lines out
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\n")
        for line in lines:
            self.on_message(line.decode(errors="replace"))

    def on_message(self, text):  # application: send it to every other client
        global messages
        messages += 1
        log(f'got "{text}". How was on_message called?')
        if ARGS.full:
            traceback.print_stack(file=sys.stdout)
        print_stack(SELECTOR)
        for client in clients:
            if client is not self:
                client.transport.write(text.encode() + b"\n")

    def connection_lost(self, exc):  # on close: remove me
        clients.discard(self)


async def main():
    global SELECTOR
    loop = asyncio.get_running_loop()
    SELECTOR = type(getattr(loop, "_selector", None)).__name__  # asyncio's own
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    server = await loop.create_server(ChatProtocol, ARGS.host, ARGS.port)
    port = server.sockets[0].getsockname()[1]
    log(f"listening on {ARGS.host}:{port}")
    log(f"loop {type(loop).__name__}, selector {SELECTOR}")
    await stop.wait()
    server.close()
    for client in list(clients):
        client.transport.close()
    await server.wait_closed()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    parser.add_argument("--full", action="store_true",
                        help="also print the whole untrimmed traceback.print_stack()")
    ARGS = parser.parse_args()
    try:
        asyncio.run(main())
    except KeyboardInterrupt:  # Ctrl-C before the loop took over the signals
        pass
    log(f"closed after {messages} message(s)")
    if last_path:  # e.g. select() -> event loop -> transport -> protocol -> on_message
        print(f"Conclusion: select() -> {' -> '.join(last_path[:-1])} -> on_message.")
