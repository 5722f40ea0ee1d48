"""The chat server written with asyncio streams: how is the coroutine called?

Each client gets a coroutine, handle_client, that awaits reader.readline().
Two stacks are printed for one line: where the bytes came in (event loop ->
transport -> StreamReaderProtocol.data_received -> feed_data, which wakes
the waiting task), and then, in a later turn of the loop, the coroutine
itself, resumed by its Task: the transport is no longer on its stack.
"""
import argparse
import asyncio
import os
import signal
import sys
import time
import traceback

import stack_view

START = float(os.environ.get("DEMO_START", time.monotonic()))  # run.py's clock
clients = set()
paths = []


def log(text):
    print(f"[{time.monotonic() - START:.2f}s] server: {text}", flush=True)


class ShowingReader(asyncio.StreamReader):
    def feed_data(self, data):  # called by the protocol when bytes arrive
        log(f"{len(data)} bytes arrived. How was feed_data called?")
        stack_view.print_stack(SELECTOR)
        paths.append(stack_view.last_path[:])
        super().feed_data(data)  # wakes the task waiting in readline()


async def handle_client(reader, writer):
    clients.add(writer)  # on connect: add me
    try:
        async for line in reader:  # on message: send it to every other client
            log(f'got "{line.decode().strip()}". How was handle_client resumed?')
            if ARGS.full:
                traceback.print_stack(file=sys.stdout)
            stack_view.print_stack(SELECTOR)
            paths.append(stack_view.last_path[:])
            for client in clients:
                if client is not writer:
                    client.write(line)
    finally:
        clients.discard(writer)  # on close: remove me
        writer.close()


def protocol_factory():  # what asyncio.start_server does, with our reader
    return asyncio.StreamReaderProtocol(ShowingReader(), handle_client)


async def main():
    global SELECTOR
    loop = asyncio.get_running_loop()
    SELECTOR = type(getattr(loop, "_selector", None)).__name__  # asyncio's own
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    server = await loop.create_server(protocol_factory, ARGS.host, ARGS.port)
    port = server.sockets[0].getsockname()[1]
    log(f"listening on {ARGS.host}:{port}")
    log(f"loop {type(loop).__name__}, selector {SELECTOR}")
    await stop.wait()
    server.close()
    for writer in list(clients):
        writer.close()
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
    if len(paths) >= 2:  # each starts in the event loop
        short = {"application": "coroutine"}
        fed, resumed = (" -> ".join(short.get(l, l) for l in p[1:]) for p in paths[:2])
        print(f"Conclusion: {fed}; a turn later: {resumed}.")
