"""A small WebSocket client in the standard library: the bots' side of the room.

Plain asyncio streams: the handshake, masked text frames out, frames in. It
is the load, not the lesson (the lesson is the server, websocket.py); it
also shows the other half of the protocol, since a client must mask what it
sends. `keep_talking` reconnects by itself after its server goes away, the
way the browser client on the slide does.
"""
import asyncio
import base64
import os
import struct


class Closed(Exception):
    """The server closed the connection; .code is its close code (1006: no close frame)."""

    def __init__(self, code):
        super().__init__(f"closed with code {code}")
        self.code = code


class Client:
    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer

    async def send(self, text):
        payload = text.encode("utf-8")
        mask = os.urandom(4)
        n = len(payload)
        head = struct.pack("!BB", 0x81, 0x80 | n) if n < 126 else struct.pack("!BBH", 0x81, 0x80 | 126, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(head + mask + masked)
        await self.writer.drain()

    async def recv(self):
        """The next text message; raises Closed when the server closes."""
        while True:
            try:
                b0, b1 = await self.reader.readexactly(2)
                n = b1 & 0x7F
                if n == 126:
                    (n,) = struct.unpack("!H", await self.reader.readexactly(2))
                elif n == 127:
                    (n,) = struct.unpack("!Q", await self.reader.readexactly(8))
                payload = await self.reader.readexactly(n)
            except (asyncio.IncompleteReadError, ConnectionError):
                raise Closed(1006) from None
            opcode = b0 & 0x0F
            if opcode == 0x1:
                return payload.decode("utf-8", errors="replace")
            if opcode == 0x8:
                raise Closed(struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005)

    def close(self):
        self.writer.close()


async def connect(host, port, path="/"):
    reader, writer = await asyncio.open_connection(host, port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                  "Sec-WebSocket-Version: 13\r\n\r\n").encode())
    head = await reader.readuntil(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0].decode("latin-1")
    if " 101 " not in status + " ":
        writer.close()
        raise ConnectionError(f"handshake refused: {status}")
    return Client(reader, writer)


async def keep_talking(host, port, name, lines, interval, first_delay, on_message=None):
    """A bot: joins, says a line every `interval` seconds, and comes back by itself
    (after 0.5 s, 1 s, 1.5 s, then every 2 s) whenever the server goes away."""
    backoff, k = 0.5, 0
    await asyncio.sleep(first_delay)
    while True:
        try:
            client = await connect(host, port)
        except OSError:
            await asyncio.sleep(backoff)
            backoff = min(backoff + 0.5, 2)
            continue
        backoff = 0.5

        async def listen():
            while True:
                text = await client.recv()
                if on_message:
                    reply = on_message(name, text)
                    if reply:
                        await client.send(reply)

        listener = asyncio.ensure_future(listen())
        try:
            while not listener.done():
                await client.send(f"{name}: {lines[k % len(lines)]}")
                k += 1
                await asyncio.wait([listener], timeout=interval)
        except (ConnectionError, Closed):
            pass
        finally:
            if listener.done() and not listener.cancelled():
                listener.exception()  # seen: the server closed, we come back
            listener.cancel()
            client.close()
        await asyncio.sleep(backoff)
