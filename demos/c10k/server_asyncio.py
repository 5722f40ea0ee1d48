"""asyncio Protocol: one thread, one event loop, a small object per client.

asyncio calls the protocol's methods when something happens on a
connection. While a client is idle, all that remains of it is a socket, a
transport and this Protocol instance: no thread, no stack.
Compare its memory per connection with server_threads.py.
"""
import asyncio
import errno
import os

from c10k_common import (BACKLOG, Meter, die_on_signals, fd_limit_line, log,
                         raise_fd_limit, server_args)

meter = Meter()


class Idle(asyncio.Protocol):
    """The state of one connection, between the loop's callbacks."""

    def connection_made(self, transport):
        meter.opened()

    def data_received(self, data):
        pass  # idle clients send nothing

    def connection_lost(self, exc):
        meter.closed()


async def main(args):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Idle, args.host, args.port,
                                      backlog=BACKLOG,
                                      reuse_port=args.reuse_port or None)

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

    loop.set_exception_handler(on_error)
    host, port = server.sockets[0].getsockname()[:2]
    log(f"server: asyncio Protocol on {host}:{port} (pid {os.getpid()})")
    while True:
        meter.tick()
        await asyncio.sleep(0.25)


if __name__ == "__main__":
    args = server_args(__doc__)
    die_on_signals()
    meter.report = args.report  # one of several: server_group.py speaks
    if args.report:
        raise_fd_limit()
    else:
        log(f"server: {fd_limit_line()}")
    try:
        asyncio.run(main(args))
    except KeyboardInterrupt:
        pass
