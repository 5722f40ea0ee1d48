"""A WebSocket chat room: the talk's example application, standard library only.

Four layers, as in the talk: the application (ChatRoom: on connect add me, on
message send it to every other client, on close remove me), the protocol
(websocket.py: the handshake and the frames), asyncio's transport and event
loop, and the selector under them.

The browser client beside the terminal on the slide joins at
ws://127.0.0.1:PORT (pages from loopback origins only) and reconnects by
itself when the server restarts; so do the bots. Type a line to talk as the
host; /restart closes every connection with code 1012 (service restart) and
listens again two seconds later; Ctrl-C quits.

--call-path runs one scripted exchange instead and prints the real stack
inside on_message: select() -> event loop -> transport -> protocol ->
application.
"""
import argparse
import asyncio
import errno
import itertools
import os
import signal
import stat
import sys
import time
import traceback

import stack_view
import ws_client
from websocket import WebSocketProtocol

START = time.monotonic()
BOT_NAMES = ["alice", "bob", "carol"]
BOT_LINES = [
    "the oven says: your slice is ready",
    "I'm mostly idle, like a WebSocket",
    "one waiter, many tables",
    "ten thousand of us would fit in one thread",
]
MAX_CLIENTS = 200


def log(text):
    print(f"[{time.monotonic() - START:.2f}s] {text}", flush=True)


# slide: app
clients = set()


class ChatRoom(WebSocketProtocol):
    def on_open(self):  # on connect: add me
        clients.add(self)

    def on_message(self, text):  # on message:
        for client in clients:  # send it to every other client
            if client is not self:
                client.send_text(text)

    def on_close(self):  # on close: remove me
        clients.discard(self)
# end slide


class ShownRoom(ChatRoom):
    """The same room, saying in the terminal who comes and goes and what it relays."""

    numbers = itertools.count(1)

    def connection_made(self, transport):
        super().connection_made(transport)
        self.number = next(self.numbers)
        if len(clients) >= MAX_CLIENTS:
            log(f"refused client {self.number}: the room holds {MAX_CLIENTS}")
            transport.abort()

    def refuse(self, status):
        why = {400: "not a WebSocket handshake", 403: f"a page at {self.origin} is not a loopback origin",
               431: "its request is too long"}[status]
        log(f"refused client {self.number} ({status}): {why}")
        super().refuse(status)

    def on_open(self):
        super().on_open()
        where = f"a page at {self.origin}" if self.origin else "no Origin: not a browser"
        if not ARGS.call_path:  # there, the stack is the story: no chatter around it
            log(f"+ client {self.number} joined ({where}); {len(clients)} connected")

    def on_message(self, text):
        if ARGS.call_path:
            log("How was on_message called? From the top:")
            if ARGS.full == "true":
                traceback.print_stack(file=sys.stdout)
            stack_view.print_stack(SELECTOR)
        super().on_message(text)
        others = len(clients) - 1
        if not ARGS.call_path:
            log(f"» {text[:200]}   (to {others} other{'' if others == 1 else 's'})")

    def on_close(self):
        super().on_close()
        if not ARGS.call_path:
            log(f"- client {self.number} left; {len(clients)} connected")


def bot_reply(name, text):
    """The first bot answers the browser and the host, to show their line went round."""
    if name == BOT_NAMES[0] and not text.startswith(tuple(n + ":" for n in BOT_NAMES)):
        said = text.split(": ", 1)[-1][:60]
        return f'{name}: got "{said}" via the server'
    return None


class Server:
    def __init__(self, host, port):
        self.host, self.port, self.server = host, port, None

    async def listen(self, patience=3.0):
        """Listen; if the port is still held (a restarted demo's old process is still
        going away), try again for up to `patience` seconds."""
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + patience
        while True:
            try:
                self.server = await loop.create_server(ShownRoom, self.host, self.port)
                break
            except OSError as e:
                if e.errno != errno.EADDRINUSE or time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)
        self.port = self.server.sockets[0].getsockname()[1]  # the same one after a restart

    async def restart(self, pause=2.0):
        log(f"server: restarting: closing {len(clients)} connection(s) with 1012 (service restart)")
        self.server.close()
        for client in list(clients):
            client.close(1012, "server restart")
        await self.server.wait_closed()
        await asyncio.sleep(pause)
        await self.listen()
        log(f"server: listening again on ws://{self.host}:{self.port}")

    async def stop(self, code=1001):
        self.server.close()
        for client in list(clients):
            client.close(code, "server going away")
        await self.server.wait_closed()


async def typed_lines(loop):
    """What you type, line by line: the terminal is one more file the loop waits on."""
    reader, mode = asyncio.StreamReader(), os.fstat(sys.stdin.fileno()).st_mode
    if not (sys.stdin.isatty() or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
        reader.feed_eof()  # a plain file or /dev/null: nothing to wait for
        return reader, None
    transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader, transport


async def host_console(server, typed):
    async for line in typed:
        text = line.decode(errors="replace").strip()
        if text == "/restart":
            await server.restart()
        elif text == "/quit":
            return "/quit"
        elif text:
            for client in list(clients):
                client.send_text(f"host: {text}")
            log(f"» host: {text}   (to {len(clients)})")
    return "end of input"


async def room(args):
    loop = asyncio.get_running_loop()
    server = Server(args.host, args.port)
    try:
        await server.listen()
    except OSError as e:
        log(f"cannot listen on {args.host}:{args.port}: {e.strerror}; choose another port (--port, or the demo's port parameter)")
        return 1
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    print(f"WebSocket chat on ws://{args.host}:{server.port}  (asyncio Protocol, stdlib only)", flush=True)
    print("Browsers may join from loopback pages (http://127.0.0.1:…, http://localhost:…)", flush=True)
    if args.bots:
        print(f"Bots: {', '.join(BOT_NAMES[:args.bots])}, a line each every {args.interval:g} s", flush=True)
    print("Type a line to talk as host; /restart restarts the server; Ctrl-C quits", flush=True)
    tasks = [asyncio.ensure_future(ws_client.keep_talking(
        args.host, server.port, BOT_NAMES[n], BOT_LINES[2 * n:] + BOT_LINES[:2 * n], args.interval,
        0.3 + args.interval * n / max(1, args.bots), bot_reply)) for n in range(args.bots)]
    typed, stdin = await typed_lines(loop)
    console = asyncio.ensure_future(host_console(server, typed))
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait([console, stopped], timeout=args.time_limit, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if stdin:
            stdin.close()
        for task in tasks + [console, stopped]:
            task.cancel()
        await asyncio.gather(*tasks, console, stopped, return_exceptions=True)
        await server.stop()
    log(f"closed after {time.monotonic() - START:.1f} s")
    return 0


async def call_path(args):
    """One exchange: alice listens, bob says one line; the server prints its stack."""
    global SELECTOR
    loop = asyncio.get_running_loop()
    SELECTOR = type(getattr(loop, "_selector", None)).__name__  # asyncio's own
    server = Server(args.host, 0)
    await server.listen()
    log(f"server: listening on ws://{args.host}:{server.port} ({SELECTOR})")
    alice = await ws_client.connect(args.host, server.port)
    bob = await ws_client.connect(args.host, server.port)
    await asyncio.sleep(0.2)  # both in the room
    log(f"alice and bob joined; {len(clients)} connected")
    log('bob says "hello, everyone"')
    await bob.send("hello, everyone")
    got = await asyncio.wait_for(alice.recv(), 10)  # it went round: the stack was real
    if got != "hello, everyone":
        raise RuntimeError(f"alice got {got!r}, not bob's line")
    alice.close()
    bob.close()
    await asyncio.sleep(0.1)
    await server.stop()
    if stack_view.last_path:  # e.g. event loop -> transport -> protocol -> application
        print(f"Conclusion: select() -> {' -> '.join(stack_view.last_path[:-1])} -> on_message.", flush=True)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=2015, help="port (default 2015; 0: any free one)")
    parser.add_argument("--bots", type=int, default=2, choices=range(4), help="scripted clients (default 2)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between a bot's lines (default 5)")
    parser.add_argument("--time-limit", type=int, default=590, help="close the room after this many seconds")
    parser.add_argument("--call-path", action="store_true",
                        help="one scripted exchange; print the stack inside on_message")
    parser.add_argument("--full", choices=["true", "false"], default="false",
                        help="--call-path: also print the whole, untrimmed traceback.print_stack()")
    ARGS = parser.parse_args()
    if not 0 <= ARGS.port <= 65535 or ARGS.interval < 0.5:
        parser.error("--port must be 0..65535 and --interval at least 0.5")
    try:
        sys.exit(asyncio.run(call_path(ARGS) if ARGS.call_path else room(ARGS)))
    except KeyboardInterrupt:  # Ctrl-C before the loop took over the signals
        pass
