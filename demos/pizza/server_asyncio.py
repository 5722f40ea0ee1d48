"""The pizza shop on asyncio: one thread, a coroutine per order.

While an order is in the oven its coroutine is paused at `await`, and the
event loop takes the next order. With --driver blocking the same coroutine
asks the oven through a sync driver instead: that one call blocks the whole
event loop, so the orders are served one at a time.
"""
import asyncio

from pizza_common import (HOST, bake, bake_blocking, keep_alive, log,
                          server_args)


async def main(args):
    async def serve(reader, writer):
        keep_alive()
        order = await reader.readline()
        if args.driver == "async":
            pizza = await bake(args.backend, order)  # others run meanwhile
        else:
            pizza = bake_blocking(args.backend, order)  # everyone waits
        writer.write(pizza)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, HOST, args.port, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    log(f"server on {HOST}:{port}: asyncio, {args.driver} backend driver")
    await server.serve_forever()


if __name__ == "__main__":
    parser = server_args(__doc__)
    parser.add_argument("--driver", choices=["async", "blocking"],
                        default="async", help="how to call the backend")
    asyncio.run(main(parser.parse_args()))
