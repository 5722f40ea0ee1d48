"""The subs shop on asyncio: one thread, an event loop, CPU work in a coroutine.

While a coroutine counts primes it never awaits, so the loop cannot run
anything else: other sandwiches wait, and so does a one-line "ping".
"""
import asyncio

from subs_common import (HOST, keep_alive, log, make_sandwich, parse_request,
                         server_args)


async def serve(reader, writer):
    keep_alive()
    line = await reader.readline()
    limit = parse_request(line)
    if limit is None:
        writer.write(b"pong\n")
    else:
        writer.write(make_sandwich(limit).encode())  # blocks the loop
    await writer.drain()
    writer.close()


async def main(port):
    server = await asyncio.start_server(serve, HOST, port, backlog=128)
    port = server.sockets[0].getsockname()[1]
    log(f"asyncio server on {HOST}:{port}")
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    args = server_args(__doc__).parse_args()
    asyncio.run(main(args.port))  # until a signal ends the process
