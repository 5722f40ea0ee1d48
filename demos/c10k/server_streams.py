"""asyncio streams: one event loop, a coroutine (a Task) per client.

The handler reads like the thread version, a loop around a read, but
each client waits in a suspended coroutine instead of a blocked thread:
a Task, a StreamReader and a StreamWriter, no stack of its own.
A little heavier than server_asyncio.py's Protocol, far lighter than a thread.
"""
import asyncio
import errno
import os

from c10k_common import (BACKLOG, Meter, die_on_signals, fd_limit_line, log,
                         server_args)

meter = Meter()


async def serve(reader, writer):
    """One coroutine per client: wait in read() until the client leaves."""
    meter.opened()
    try:
        while await reader.read(1024):  # idle clients send nothing
            pass
    except OSError:
        pass
    finally:
        writer.close()
        meter.closed()


async def main(args):
    server = await asyncio.start_server(serve, args.host, args.port,
                                        backlog=BACKLOG)

    def on_error(loop, context):
        """asyncio reports a failed accept() here: that is our wall."""
        exc = context.get("exception")
        if getattr(exc, "errno", None) in (errno.EMFILE, errno.ENFILE,
                                           errno.ENOBUFS, errno.ENOMEM):
            meter.hit_wall(exc)
            # Stop accepting, once the connections just accepted are set up.
            loop.call_soon(server.close)
        elif meter.wall is None:
            loop.default_exception_handler(context)
        # (after the wall, asyncio's own accept retries fail quietly here)

    asyncio.get_running_loop().set_exception_handler(on_error)
    host, port = server.sockets[0].getsockname()[:2]
    log(f"server: asyncio streams on {host}:{port} (pid {os.getpid()})")
    while True:
        meter.tick()
        await asyncio.sleep(0.25)


if __name__ == "__main__":
    args = server_args(__doc__)
    die_on_signals()
    log(f"server: {fd_limit_line()}")
    try:
        asyncio.run(main(args))
    except KeyboardInterrupt:
        pass
