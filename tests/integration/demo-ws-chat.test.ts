// Demo "ws-chat": the talk's example application over a WebSocket protocol layer written with
// the standard library only. Points: real WebSocket clients (the `ws` package, as a browser
// would speak it, with an Origin) join and chat through it; the server refuses what RFC 6455
// and its own limits refuse without falling over; /restart closes every client with 1012
// and listens again on the same port, where the bots come back by themselves; and the real
// stack inside on_message runs event loop -> transport -> protocol (websocket.py) ->
// application.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { connect as tcpConnect, type Socket } from 'node:net';
import { resolve } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/server.js';
import { killGroups, waitGone } from '../helpers/processes.js';
import { runPythonSample, type SampleRun } from '../helpers/python-sample.js';
import { inDemoSession, stopAndExpectGone } from '../helpers/demo-session.js';
import { findPython } from '../../server/registry/python.js';

const DIR = resolve(ROOT, 'demos/ws-chat');
const started: number[] = [];
const PAGE = 'http://127.0.0.1:2014';

/** The room server, run directly with a pipe for its keyboard. */
class Room {
  out = '';
  readonly child: ChildProcessWithoutNullStreams;
  constructor(args: string[]) {
    const py = findPython();
    if (!py.ok) throw new Error(py.message);
    this.child = spawn(py.path, ['ws_chat.py', '--port', '0', ...args], { cwd: DIR, detached: true, env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    started.push(this.child.pid!);
    this.child.stdout.on('data', (b: Buffer) => (this.out += b.toString()));
    this.child.stderr.on('data', (b: Buffer) => (this.out += b.toString()));
  }
  async until(re: RegExp, what: string, ms = 10_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = this.out.match(re);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${this.out}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  async port(): Promise<number> {
    return Number((await this.until(/WebSocket chat on ws:\/\/127\.0\.0\.1:(\d+)/, 'the first line'))[1]);
  }
  type(line: string): void {
    this.child.stdin.write(line + '\n');
  }
  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    expect(await waitGone([this.child.pid!], 3000)).toEqual([]);
    expect(this.out).not.toMatch(/Traceback/);
  }
}

/** A WebSocket client that keeps what it receives and how it was closed. */
class Peer {
  readonly got: string[] = [];
  closed: number | undefined;
  readonly ws: WebSocket;
  constructor(port: number, origin: string | undefined = PAGE) {
    this.ws = new WebSocket(`ws://127.0.0.1:${port}/`, origin ? { origin } : {});
    this.ws.on('message', (m) => this.got.push(String(m)));
    this.ws.on('close', (code) => (this.closed = code));
  }
  open(): Promise<void> {
    return new Promise((r, e) => this.ws.once('open', () => r()).once('error', e));
  }
  async until(ok: () => boolean, what: string, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${this.got.length} messages, the last ${JSON.stringify(this.got.slice(-3)).slice(0, 300)}, closed ${this.closed}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** A raw TCP conversation: what the server answers to bytes no well-behaved client sends. */
function raw(port: number, bytes: Buffer | string): Promise<{ reply: Buffer; socket: Socket }> {
  return new Promise((done) => {
    const socket = tcpConnect(port, '127.0.0.1', () => socket.write(bytes));
    let reply = Buffer.alloc(0);
    socket.on('data', (d) => (reply = Buffer.concat([reply, d])));
    socket.on('close', () => done({ reply, socket }));
    socket.on('error', () => undefined);
    setTimeout(() => socket.destroy(), 3000);
  });
}

const HANDSHAKE = 'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

/** A client frame: FIN + opcode, masked with a zero key unless `masked` is false. */
function frame(opcode: number, payload: Buffer, { fin = true, masked = true } = {}): Buffer {
  const head = [(fin ? 0x80 : 0) | opcode];
  const n = payload.length;
  const m = masked ? 0x80 : 0;
  if (n < 126) head.push(m | n);
  else if (n < 65536) head.push(m | 126, n >> 8, n & 0xff);
  else head.push(m | 127, 0, 0, 0, 0, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
  return Buffer.concat([Buffer.from(head), masked ? Buffer.alloc(4) : Buffer.alloc(0), payload]);
}

/** The close code the server sent in its close frame (after the 101 response). */
function closeCode(reply: Buffer): number | undefined {
  const at = reply.indexOf('\r\n\r\n');
  const f = reply.subarray(at + 4);
  return f.length >= 4 && (f[0]! & 0x0f) === 0x8 ? f.readUInt16BE(2) : undefined;
}

describe('demo ws-chat: a WebSocket chat in the standard library', () => {
  afterAll(() => killGroups(started));

  describe('call-path: how is on_message called?', () => {
    let trimmed: SampleRun, full: SampleRun;
    beforeAll(async () => {
      [trimmed, full] = await Promise.all([
        runPythonSample(DIR, ['ws_chat.py', '--call-path'], { timeoutMs: 20_000, started }),
        runPythonSample(DIR, ['ws_chat.py', '--call-path', '--full', 'true'], { timeoutMs: 20_000, started }),
      ]);
    }, 30_000);

    it('the stack goes event loop -> transport -> the WebSocket protocol -> the application', () => {
      expect(trimmed.code, trimmed.out).toBe(0);
      expect(trimmed.out).not.toMatch(/Traceback|Error/);
      const lines = trimmed.out.split('\n');
      const at = lines.findIndex((l) => /^\[[\d.]+s\] How was on_message called\? From the top:$/.test(l));
      expect(lines[at - 1]).toMatch(/bob says "hello, everyone"$/);
      // Nothing comes between the stack and the conclusion: read from the top, it ends the run.
      const end = lines.findIndex((l) => l.startsWith('Conclusion: '));
      const rows = lines.slice(at + 1, end);
      expect(rows.every((r) => r.startsWith('  ')), rows.join('\n')).toBe(true);
      const order = [
        /^\s+event loop\s+base_events\.run_forever/,
        /^\s+selector\s+\w*Selector\.select\(\) ran in _run_once/,
        /^\s+event loop\s+base_events\._run_once/,
        /^\s+event loop\s+events\.Handle\._run/,
        /^\s+transport\s+selector_events\._read_ready/,
        /^\s+protocol\s+websocket\.data_received\s+-> self\.on_frame\(\*frame\)/,
        /^\s+protocol\s+websocket\.on_frame\s+-> self\.on_message\(text\)/,
        /^\s+application\s+ws_chat\.on_message/,
      ].map((p) => rows.findIndex((r) => p.test(r)));
      expect(order.every((i) => i >= 0), rows.join('\n')).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(trimmed.out.trim().split('\n').pop()).toBe('Conclusion: select() -> event loop -> transport -> protocol -> on_message.');
    });

    it('--full: the untrimmed traceback.print_stack() has the same frames in the same order', () => {
      expect(full.code, full.out).toBe(0);
      const files = full.out.split('\n').filter((l) => /^\s+File ".*", line \d+, in /.test(l));
      const order = [
        /base_events\.py", line \d+, in _run_once$/,
        /selector_events\.py", line \d+, in _read_ready$/,
        /websocket\.py", line \d+, in data_received$/,
        /websocket\.py", line \d+, in on_frame$/,
        /ws_chat\.py", line \d+, in on_message$/,
      ].map((p) => files.findIndex((l) => p.test(l)));
      expect(order.every((i) => i >= 0), files.join('\n')).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
    });
  });

  describe('the room', () => {
    let room: Room;
    let port: number;
    beforeAll(async () => {
      room = new Room(['--bots', '1', '--interval', '1']);
      port = await room.port();
    });
    afterAll(async () => room?.stop());

    it('a page from a loopback origin joins, its message reaches the others and not itself, and the bot answers', async () => {
      const browser = new Peer(port);
      const other = new Peer(port, 'http://localhost:5173');
      await Promise.all([browser.open(), other.open()]);
      await room.until(/a page at http:\/\/127\.0\.0\.1:2014\); \d+ connected/, 'the join line');
      await room.until(/\+ client \d+ joined \(no Origin: not a browser\)/, 'the bot in the room');
      browser.ws.send('browser: hello from the test');
      await other.until(() => other.got.includes('browser: hello from the test'), 'the relayed line');
      await browser.until(() => browser.got.some((m) => m === 'alice: got "hello from the test" via the server'), "alice's answer");
      expect(browser.got).not.toContain('browser: hello from the test'); // not sent back to its sender
      await room.until(/» browser: hello from the test\s+\(to 2 others\)/, 'the log of the relay');
      browser.ws.close();
      other.ws.close();
    });

    it('refuses what it must, closes with the RFC 6455 code, and keeps serving', async () => {
      const evil = new WebSocket(`ws://127.0.0.1:${port}/`, { origin: 'https://evil.example' });
      const status = await new Promise<number>((r) => evil.on('unexpected-response', (_q, res) => r(res.statusCode!)));
      expect(status).toBe(403);
      await room.until(/refused client \d+ \(403\): a page at https:\/\/evil\.example is not a loopback origin/, 'the refusal');
      expect((await raw(port, 'GARBAGE\r\n\r\n')).reply.toString()).toMatch(/^HTTP\/1\.1 400 Bad Request/);
      expect((await raw(port, 'GET / HTTP/1.1\r\nX: ' + 'a'.repeat(9000))).reply.toString()).toMatch(/^HTTP\/1\.1 431 /);
      const send = async (f: Buffer) => closeCode((await raw(port, Buffer.concat([Buffer.from(HANDSHAKE), f]))).reply);
      expect(await send(frame(0x1, Buffer.from('hi'), { masked: false }))).toBe(1002); // clients must mask
      expect(await send(frame(0x2, Buffer.from([1, 2, 3])))).toBe(1003); // binary
      expect(await send(frame(0x1, Buffer.from([0xc3, 0x28])))).toBe(1007); // not UTF-8
      expect(await send(frame(0x1, Buffer.alloc(70_000, 0x61)))).toBe(1009); // too big
      expect(await send(frame(0x0, Buffer.from('x')))).toBe(1002); // a continuation of nothing
      expect(await send(frame(0x3, Buffer.from('x')))).toBe(1003); // a reserved opcode
      // Bytes one at a time, a fragmented message and a ping: all understood.
      const slow = new Peer(port);
      const sock = tcpConnect(port, '127.0.0.1');
      let reply = Buffer.alloc(0);
      sock.on('data', (d) => (reply = Buffer.concat([reply, d])));
      await slow.open();
      const bytes = Buffer.concat([Buffer.from(HANDSHAKE), frame(0x9, Buffer.from('ping?')), frame(0x1, Buffer.from('piece'), { fin: false }), frame(0x0, Buffer.from('wise'))]);
      for (const b of bytes) {
        sock.write(Buffer.from([b]));
        await new Promise((r) => setImmediate(r));
      }
      await slow.until(() => slow.got.includes('piecewise'), 'the reassembled message');
      const pong = Buffer.from([0x8a, 5]); // a pong with the ping's 5 bytes
      for (let i = 0; i < 400 && !reply.includes(pong); i++) await new Promise((r) => setTimeout(r, 25));
      expect(reply.includes(pong)).toBe(true);
      sock.destroy();
      slow.ws.close();
      expect(room.out).not.toMatch(/Traceback/);
    });

    it('drops a client that stops reading instead of buffering for it without end', async () => {
      const stalled = tcpConnect(port, '127.0.0.1', () => stalled.write(HANDSHAKE));
      const joins = () => (room.out.match(/\(no Origin: not a browser\)/g) ?? []).length;
      const before = joins();
      await new Promise<void>((r) => stalled.once('data', () => r())); // its 101
      for (let i = 0; i < 200 && joins() <= before; i++) await new Promise((r) => setTimeout(r, 25));
      expect(joins()).toBeGreaterThan(before);
      stalled.pause(); // reads nothing from here on
      const talker = new Peer(port);
      await talker.open();
      const big = 'x'.repeat(60_000);
      for (let i = 0; i < 250; i++) talker.ws.send(`talker: ${big}`); // 15 MB for the stalled one
      let ended = false;
      stalled.on('close', () => (ended = true));
      stalled.on('error', () => (ended = true));
      const relayed = () => (room.out.match(/» talker: /g) ?? []).length;
      await talker.until(() => relayed() >= 250, 'the server relaying all 250', 20_000);
      stalled.resume(); // now drain what the kernel kept: the server must have hung up
      await talker.until(() => ended, 'the server dropping the stalled client', 20_000).catch((e: Error) => {
        throw new Error(`${e.message}\n${room.out.split('\n').filter((l) => !l.includes('» ')).slice(-15).join('\n')}`);
      });
      expect(room.out).not.toMatch(/Traceback/);
      talker.ws.close();
    }, 40_000);

    it('/restart closes every client with 1012, listens again on the same port, and the bots come back by themselves', async () => {
      const browser = new Peer(port);
      await browser.open();
      const joinedBefore = (room.out.match(/\(no Origin: not a browser\)/g) ?? []).length;
      room.type('/restart');
      await browser.until(() => browser.closed !== undefined, 'the close');
      expect(browser.closed).toBe(1012);
      await room.until(new RegExp(`server: listening again on ws://127\\.0\\.0\\.1:${port}`), 'listening again');
      const again = new Peer(port);
      await again.open();
      await room.until(/server: listening again[\s\S]*\+ client \d+ joined \(no Origin: not a browser\)/, 'the bot rejoining', 10_000);
      expect((room.out.match(/\(no Origin: not a browser\)/g) ?? []).length).toBeGreaterThan(joinedBefore);
      again.ws.close();
    }, 30_000);
  });

  it('waits for a port still held by a dying predecessor, then says which port to change', async () => {
    const first = new Room(['--bots', '0']);
    const port = await first.port();
    const py = findPython();
    if (!py.ok) throw new Error(py.message);
    const second = await runPythonSample(DIR, ['ws_chat.py', '--port', String(port), '--bots', '0'], { timeoutMs: 15_000, started });
    expect(second.code).toBe(1);
    expect(second.out).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*choose another port`));
    await first.stop();
  }, 20_000);

  it('runs through the demo server; Stop ends it at once', async () => {
    await inDemoSession({ demo: 'ws-chat', variant: 'room', params: { port: 0, bots: 1 } }, started, async (c, s) => {
      await c.until(() => /WebSocket chat on ws:\/\/127\.0\.0\.1:\d+/.test(c.text(1)), 15_000, 'the first line');
      await stopAndExpectGone(c, [s.pid]);
    });
    await inDemoSession({ demo: 'ws-chat', variant: 'call-path', params: {} }, started, async (c, s) => {
      const exit = await c.message('exit', 1, 20_000);
      expect(exit.reason).toBe('exited');
      expect(c.text(1)).toMatch(/protocol\s+websocket\.on_frame/);
      expect(await waitGone([s.pid], 1000)).toEqual([]);
    });
  }, 40_000);
});
