"""The protocol layer: WebSocket (RFC 6455) on an asyncio transport, stdlib only.

An asyncio.Protocol turns bytes into messages and messages into bytes: first
the opening handshake (an HTTP request answered with 101 Switching
Protocols), then frames. The transport below it reads and writes the socket
without blocking; the application above it gets three calls: on_open,
on_message(text) and on_close. Server side only, text messages only.

Everything a client sends is checked before use: the request's size, its
Origin (a web page from elsewhere may not join), each frame's length, mask
and opcode, and the text's UTF-8. A client that breaks a rule is closed with
the status code RFC 6455 gives for it; nothing it sends can end the server.
"""
import asyncio
import base64
import hashlib
import re
import struct

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, section 1.3
MAX_REQUEST = 8 * 1024  # bytes of handshake
MAX_MESSAGE = 64 * 1024  # bytes of one message
MAX_UNSENT = 1024 * 1024  # bytes waiting for a client that does not read
LOOPBACK_ORIGIN = re.compile(r"^https?://(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(:\d{1,5})?$")
TEXT, CLOSE, PING, PONG, CONTINUATION = 0x1, 0x8, 0x9, 0xA, 0x0


class WebSocketProtocol(asyncio.Protocol):
    """Subclass it and define on_open(), on_message(text) and on_close()."""

    def connection_made(self, transport):
        self.transport, self.buffer = transport, b""
        self.open = self.joined = False
        self.origin, self.parts = None, []

    def data_received(self, data):  # the transport calls this: bytes in
        self.buffer += data
        if not self.open:
            self.handshake()
        while self.open and (frame := self.next_frame()):
            self.on_frame(*frame)

    # slide: handshake
    def handshake(self):
        head, found, rest = self.buffer.partition(b"\r\n\r\n")
        if not found:  # not all here yet, unless it is too long
            return self.refuse(431) if len(self.buffer) > MAX_REQUEST else None
        request, *lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip()
                   for k, _, v in (line.partition(":") for line in lines)}
        key = headers.get("sec-websocket-key", "")
        if not request.startswith("GET ") or len(key) != 24:
            return self.refuse(400)
        self.origin = headers.get("origin")  # the page, if a browser asks
        if self.origin and not LOOPBACK_ORIGIN.match(self.origin):
            return self.refuse(403)
        accept = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest())
        self.transport.write(b"HTTP/1.1 101 Switching Protocols\r\n"
                             b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                             b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
        self.buffer, self.open, self.joined = rest, True, True
        self.on_open()
    # end slide

    def refuse(self, status):
        reason = {400: "Bad Request", 403: "Forbidden",
                  431: "Request Header Fields Too Large"}[status]
        self.transport.write(f"HTTP/1.1 {status} {reason}\r\n"
                             "Content-Length: 0\r\nConnection: close\r\n\r\n".encode())
        self.transport.close()
        self.buffer = b""

    # slide: frames
    def next_frame(self):  # -> (opcode, fin, payload) of a whole frame, or None
        b = self.buffer
        if len(b) < 2:
            return None  # not all here yet
        fin, opcode, masked = b[0] & 0x80, b[0] & 0x0F, b[1] & 0x80
        if not masked:
            return self.close(1002)  # clients must mask what they send
        at = {126: 4, 127: 10}.get(b[1] & 0x7F, 2)  # where the mask key starts
        if len(b) < at + 4:
            return None
        n = int.from_bytes(b[2:at], "big") if at > 2 else b[1] & 0x7F
        if n > MAX_MESSAGE:
            return self.close(1009)
        if len(b) < at + 4 + n:
            return None
        mask, data = b[at:at + 4], b[at + 4:at + 4 + n]
        self.buffer = b[at + 4 + n:]
        key = int.from_bytes((mask * (n // 4 + 1))[:n], "big")
        payload = (int.from_bytes(data, "big") ^ key).to_bytes(n, "big")
        return opcode, fin, payload
    # end slide

    def on_frame(self, opcode, fin, payload):
        if opcode == PING:
            return self.send_frame(PONG, payload[:125])
        if opcode == PONG:
            return None
        if opcode == CLOSE:
            code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1000
            return self.close(code if 1000 <= code < 5000 else 1002)
        if opcode not in (TEXT, CONTINUATION):
            return self.close(1003)  # binary, or an opcode RFC 6455 reserves
        if (opcode == CONTINUATION) != bool(self.parts):
            return self.close(1002)  # a continuation of nothing, or a new message mid-message
        self.parts.append(payload)
        if sum(map(len, self.parts)) > MAX_MESSAGE:
            return self.close(1009)
        if fin:
            whole, self.parts = b"".join(self.parts), []
            try:
                text = whole.decode("utf-8")
            except UnicodeDecodeError:
                return self.close(1007)
            self.on_message(text)
        return None

    def send_text(self, text):  # messages out: bytes down to the transport
        self.send_frame(TEXT, text.encode("utf-8"))

    def send_frame(self, opcode, payload):
        if not self.open or self.transport.is_closing():
            return
        if self.transport.get_write_buffer_size() > MAX_UNSENT:
            self.open = False
            return self.transport.abort()  # it stopped reading: drop it
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", 0x80 | opcode, n)
        elif n < 1 << 16:
            head = struct.pack("!BBH", 0x80 | opcode, 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
        self.transport.write(head + payload)

    def close(self, code=1000, reason=""):
        """Send a close frame with `code` (1012: the server restarts), then hang up."""
        self.send_frame(CLOSE, struct.pack("!H", code) + reason.encode()[:120])
        self.open, self.buffer = False, b""
        self.transport.close()

    def connection_lost(self, exc):
        self.open = False
        if self.joined:  # on_open was called: on_close once
            self.joined = False
            self.on_close()

    # The application's three calls: override them.
    def on_open(self):
        pass

    def on_message(self, text):
        pass

    def on_close(self):
        pass
