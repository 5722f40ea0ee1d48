"""A chat room served by asyncio: one thread, one event loop, protocol callbacks.

The server is the talk's example application: on connect, add me to the set
of clients; on message, send it to every other client; on close, remove me.
The server runs as a process of its own (this file with --serve), one thread;
the bots and your terminal are its clients, here, in an event loop of their own.
"""
import asyncio
import itertools
import os
import signal
import sys
import threading

from chat_common import (HOST, ME, BOT_NAMES, banner, bot_line, bot_reply,
                         first_delay, goodbye, parse_args, serving, stamp,
                         start_server, stop_server)

clients = set()
relayed = most_clients = most_threads = 0


class ChatProtocol(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport, self.name, self.buffer = transport, None, b""
        global most_clients, most_threads
        clients.add(self)  # on connect: add me to the set of clients
        most_clients = max(most_clients, len(clients))
        most_threads = max(most_threads, threading.active_count())

    def data_received(self, data):
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\n")
        for line in lines:
            self.on_message(line.decode(errors="replace").strip())

    def on_message(self, text):
        global relayed
        if self.name is None:  # a client's first line is its name
            self.name = text or "guest"
            self.send_to_others(f"* {self.name} joined")
        else:  # on message: send it to every other client
            relayed += 1
            self.send_to_others(f"{self.name}: {text}")

    def connection_lost(self, exc):
        clients.discard(self)  # on close: remove me
        if self.name:
            self.send_to_others(f"* {self.name} left")

    def send_to_others(self, text):
        for client in clients:
            if client is not self and not client.transport.is_closing():
                client.transport.write(text.encode() + b"\n")


async def bot(n, port, args):
    """A scripted client: joins, says a line every interval, answers you."""
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(BOT_NAMES[n].encode() + b"\n")

    async def listen():
        async for line in reader:
            answer = bot_reply(n, line.decode(errors="replace"))
            if answer:
                writer.write(answer.encode() + b"\n")

    listener = asyncio.ensure_future(listen())
    try:
        await asyncio.sleep(first_delay(n, args))
        for k in itertools.count():
            writer.write(bot_line(n, k).encode() + b"\n")
            await asyncio.sleep(args.interval)
    finally:
        listener.cancel()
        writer.close()


def keyboard(loop):
    """What you type, as a stream: the terminal is one more file in the selector."""
    stream, fd = asyncio.StreamReader(), sys.stdin.fileno()

    def on_readable():
        data = os.read(fd, 1024)
        if data:
            stream.feed_data(data)
        else:  # Ctrl-D, or the end of piped input
            loop.remove_reader(fd)
            stream.feed_eof()

    try:
        loop.add_reader(fd, on_readable)
    except PermissionError:  # stdin is a plain file: nothing to wait for
        stream.feed_eof()
    return stream


async def show_room(reader):
    async for line in reader:
        print(stamp(), line.decode(errors="replace").rstrip(), flush=True)


async def talk(typed, writer):
    async for line in typed:
        text = line.decode(errors="replace").strip()
        if text == "/quit":
            return "/quit"
        if text:
            writer.write(text.encode() + b"\n")
    return "end of input"


async def serve(fd):
    """The server process: serves until SIGTERM, then reports its figures."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(ChatProtocol, HOST, 0)
    report = serving(fd, server.sockets[0].getsockname()[1])
    stopped = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopped.set)
    await stopped.wait()
    server.close()
    for client in list(clients):
        client.transport.close()
    await server.wait_closed()
    print(relayed, most_threads, most_clients, file=report, flush=True)


async def main(args, port):
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(ME.encode() + b"\n")
    tasks = [asyncio.ensure_future(show_room(reader))]
    tasks += [asyncio.ensure_future(bot(n, port, args)) for n in range(args.bots)]
    try:
        return await asyncio.wait_for(talk(keyboard(asyncio.get_running_loop()), writer), args.time_limit)
    except asyncio.TimeoutError:
        return "time is up"
    finally:
        asyncio.get_running_loop().remove_reader(sys.stdin.fileno())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        writer.close()


if __name__ == "__main__":
    args = parse_args(__doc__)
    if args.serve is not None:
        asyncio.run(serve(args.serve))
        sys.exit(0)
    server, port, report = start_server(__file__)
    banner("asyncio (one thread, an event loop)", port, args)
    try:
        how = asyncio.run(main(args, port))
    except KeyboardInterrupt:
        print()  # after the "^C" the terminal echoed
        how = "Ctrl-C"
    relayed_all, in_all, most = stop_server(server, report)
    goodbye(how, relayed_all, in_all, f"serving {most} clients")
