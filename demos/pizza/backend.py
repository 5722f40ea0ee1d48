"""The slow backend (the oven): every answer takes DELAY seconds.

It bakes any number of orders at once, like a database serving many
clients: whatever waiting you see is the server's doing, not the oven's.
"""
import argparse
import asyncio

from pizza_common import HOST, exit_on_signals, keep_alive, log


async def main(args):
    async def bake(reader, writer):
        keep_alive()
        order = await reader.readline()
        await asyncio.sleep(args.delay)  # the slow part
        writer.write(b"hot slice for " + order)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(bake, HOST, args.port, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    log(f"backend (the oven) on {HOST}:{port}: {args.delay:g} s per order")
    await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--delay", type=float, default=1.0,
                        help="seconds per answer (default 1)")
    parser.add_argument("--port", type=int, default=0,
                        help="port on 127.0.0.1 (default 0: any free port)")
    exit_on_signals()
    asyncio.run(main(parser.parse_args()))
