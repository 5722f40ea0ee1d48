"""asyncio: one thread, one event loop, a coroutine per connection.

Every request goes through the loop: select, callback, stream buffer, wake the
coroutine, write. More Python per request than a thread's recv(), so it is
not faster for busy connections; but a waiting coroutine costs little memory.
"""
import asyncio

from nf_common import HOST, keep_alive, log, server_args, stats

connections = 0


async def serve(reader, writer):
    keep_alive()
    global connections
    connections += 1
    try:
        async for line in reader:  # this coroutine pauses until a line comes
            if line == b"stats\n":
                writer.write(stats(connections))
            else:
                writer.write(b"ok " + line)  # the response
            await writer.drain()
    except ConnectionError:
        pass  # a client that left
    finally:
        connections -= 1
        writer.close()


async def main(port):
    server = await asyncio.start_server(serve, HOST, port, backlog=4096)
    port = server.sockets[0].getsockname()[1]
    log(f"asyncio server on {HOST}:{port}: one thread, a coroutine each")
    await server.serve_forever()


if __name__ == "__main__":
    args = server_args(__doc__).parse_args()
    asyncio.run(main(args.port))
