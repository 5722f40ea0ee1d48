"""The chat server, with one slow request: blocking sleep vs await asyncio.sleep.

On connect, add me; on message, send it to every other client; on close,
remove me. One message is special: "/slow" makes the handler wait SLEEP
seconds before it answers "done". With --mode blocking it calls time.sleep,
which blocks the one thread that runs the event loop, so every client
freezes. With --mode non-blocking it awaits asyncio.sleep: only that
client's coroutine waits; the loop goes on serving everyone else.
"""
import argparse
import asyncio
import os
import signal
import time

START = float(os.environ.get("DEMO_START", time.monotonic()))  # run.py's clock
clients = set()


def log(text):
    print(f"[{time.monotonic() - START:.2f}s] server: {text}", flush=True)


async def slow_request(writer):
    if ARGS.mode == "blocking":
        log(f"/slow: time.sleep({ARGS.sleep:g}), the whole loop waits")
        time.sleep(ARGS.sleep)  # blocks the thread: every client waits
    else:
        log(f"/slow: await asyncio.sleep({ARGS.sleep:g}), only this client waits")
        await asyncio.sleep(ARGS.sleep)  # this coroutine waits; the loop runs on
    log("/slow: done")
    writer.write(b"done\n")


async def handle_client(reader, writer):
    clients.add(writer)  # on connect: add me
    try:
        async for line in reader:  # on message:
            if line.startswith(b"/slow"):
                await slow_request(writer)
            else:
                for client in clients:  # send it to every other client
                    if client is not writer and not client.is_closing():
                        client.write(line)
    except ConnectionError:
        pass  # the client went away
    finally:
        clients.discard(writer)  # on close: remove me
        writer.close()


async def main():
    server = await asyncio.start_server(handle_client, ARGS.host, ARGS.port)
    port = server.sockets[0].getsockname()[1]
    log(f"listening on {ARGS.host}:{port} ({ARGS.mode})")
    async with server:
        await server.serve_forever()


def stop(signum, frame):
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)  # once is enough
    raise KeyboardInterrupt  # also ends a time.sleep() at once


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=["blocking", "non-blocking"], default="blocking",
                        help="how /slow waits (default blocking)")
    parser.add_argument("--sleep", type=float, default=2.0,
                        help="seconds /slow waits, 0.1 to 10 (default 2)")
    parser.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    ARGS = parser.parse_args()
    if not 0.1 <= ARGS.sleep <= 10:
        parser.error("--sleep must be from 0.1 to 10")
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass  # stopped: Ctrl-C, or run.py is done
