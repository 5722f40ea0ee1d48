// Anything a page or a local process sends is hostile until validated: odd request targets,
// methods, headers and ranges; prototype names as keys; huge bad messages; too many sockets.
// None of it may end, hang or bloat the server, and every refusal says what was wrong.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startTestServer, ROOT } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { rawHttp, get } from '../helpers/raw-http.js';
import { killAll } from '../helpers/processes.js';
import type { DemoServer } from '../../server/http/demo-server.js';

let server: DemoServer;
const logged: string[] = [];
const started: number[] = [];
let asset: string;

beforeAll(async () => {
  server = await startTestServer({ log: (line) => logged.push(line) });
  asset = `/assets/${readdirSync(join(ROOT, 'dist/assets')).find((f) => f.endsWith('.js'))!}`;
});
afterAll(async () => {
  await server?.close();
  killAll(started);
});

async function expectStillServing(s: DemoServer = server): Promise<void> {
  const r = await get(s.port, '/');
  expect(r.status).toBe(200);
  expect(r.body.toString()).toContain('what-is-async-demo-server');
}

async function runsADemo(s: DemoServer = server): Promise<void> {
  const c = await TestClient.connect(s.port);
  c.send({ type: 'start', session: 1, demo: 'hello', variant: 'selectors', params: { count: 1, delay: 0.1 }, cols: 80, rows: 24 });
  started.push((await c.message('started', 1)).pid);
  expect((await c.message('exit', 1, 15_000)).code).toBe(0);
  await c.close();
}

const host = () => `Host: 127.0.0.1:${server.port}\r\nConnection: close\r\n`;

describe('odd HTTP requests get an answer, and the server goes on', () => {
  it.each([
    ['GET //', () => `GET // HTTP/1.1\r\n${host()}\r\n`],
    ['GET /\\\\', () => `GET /\\\\ HTTP/1.1\r\n${host()}\r\n`],
    ['GET //:99999', () => `GET //:99999 HTTP/1.1\r\n${host()}\r\n`],
    ['GET //evil.example/', () => `GET //evil.example/ HTTP/1.1\r\n${host()}\r\n`],
    ['an absolute-form target', () => `GET http://evil.example/ws HTTP/1.1\r\n${host()}\r\n`],
    ['OPTIONS *', () => `OPTIONS * HTTP/1.1\r\n${host()}\r\n`],
    ['DELETE /', () => `DELETE / HTTP/1.1\r\n${host()}\r\n`],
    ['a made-up method', () => `BREW / HTTP/1.1\r\n${host()}\r\n`],
    ['a bad escape', () => `GET /%zz%ff%00 HTTP/1.1\r\n${host()}\r\n`],
    ['traversal', () => `GET /..%2f..%2f..%2fetc%2fpasswd HTTP/1.1\r\n${host()}\r\n`],
    ['no Host', () => `GET / HTTP/1.1\r\n\r\n`],
    ['two Hosts', () => `GET / HTTP/1.1\r\n${host()}Host: evil.example\r\n\r\n`],
    ['a huge header', () => `GET / HTTP/1.1\r\n${host()}X-Big: ${'x'.repeat(70_000)}\r\n\r\n`],
    ['a negative Content-Length', () => `POST / HTTP/1.1\r\n${host()}Content-Length: -1\r\n\r\n`],
    ['a broken chunked body', () => `POST / HTTP/1.1\r\n${host()}Transfer-Encoding: chunked\r\n\r\nzz\r\n`],
    ['garbage', () => `\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n`],
    ['an upgrade to //', () => `GET // HTTP/1.1\r\n${host()}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`],
    ['an upgrade to /\\\\', () => `GET /\\\\ HTTP/1.1\r\n${host()}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`],
    ['an upgrade to //:99999', () => `GET //:99999 HTTP/1.1\r\n${host()}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`],
    ['an upgrade to /ws?token=a&token=b', () => `GET /ws?token=a&token=b HTTP/1.1\r\n${host()}Origin: http://127.0.0.1:${server.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`],
  ])('%s', async (_name, make) => {
    const r = await rawHttp(server.port, make());
    expect(r.status).toBeGreaterThanOrEqual(100); // an answer, not a dropped connection
    expect(r.status).not.toBe(500);
    await expectStillServing();
  });

  it.each(['bytes=5-2', 'bytes=-5', 'bytes=0-0', 'bytes=abc', 'bytes=1-2,4-5', 'bytes=99999999999999999999-', 'bytes=3-', 'items=0-1', 'bytes=--1'])(
    'a static file with Range: %s is answered with a valid response',
    async (range) => {
      const whole = readFileSync(join(ROOT, 'dist', asset));
      const r = await get(server.port, asset, { range });
      if (r.status === 206) {
        const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(r.headers['content-range']))!;
        expect(Number(m[3])).toBe(whole.length);
        expect(r.body.equals(whole.subarray(Number(m[1]), Number(m[2]) + 1))).toBe(true);
      } else if (r.status === 416) {
        expect(r.headers['content-range']).toBe(`bytes */${whole.length}`);
      } else {
        expect(r.status).toBe(200);
        expect(r.body.equals(whole)).toBe(true);
      }
      await expectStillServing();
    },
  );

  it('does not serve the build stamp or any other dotfile of dist/', async () => {
    expect(existsSync(join(ROOT, 'dist/.build-stamp'))).toBe(true);
    for (const path of ['/.build-stamp', '/%2ebuild-stamp', '/assets/../.build-stamp', '/assets/%2e%2e/.build-stamp', '//.build-stamp']) {
      const r = await get(server.port, path);
      expect(r.status, path).toBe(404);
    }
  });

  it('refuses to be framed by another site', async () => {
    for (const path of ['/', asset, '/no-such-file']) {
      const r = await get(server.port, path);
      expect(r.headers['content-security-policy'], path).toBe("frame-ancestors 'self'");
      expect(r.headers['x-frame-options'], path).toBe('SAMEORIGIN');
    }
  });

  it('a file that fails while it streams ends that response only, logged once with its cause', async () => {
    const dist = mkdtempSync(join(tmpdir(), 'wia-dist-'));
    writeFileSync(join(dist, 'index.html'), readFileSync(join(ROOT, 'dist/index.html')));
    symlinkSync('/proc/self/mem', join(dist, 'broken.js')); // reading it fails with EIO
    const lines: string[] = [];
    const s = await startTestServer({ distDir: dist, log: (l) => lines.push(l) });
    try {
      for (let i = 0; i < 3; i++) {
        const r = await rawHttp(s.port, `GET /broken.js HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\n\r\n`);
        expect(r.ended).toBe('closed');
      }
      expect(s.incidents.total).toBe(3);
      expect(lines.filter((l) => /internal error while handling GET \/broken\.js/.test(l))).toHaveLength(1);
      expect(lines[0]).toMatch(/EIO/);
      await expectStillServing(s);
    } finally {
      await s.close();
      rmSync(dist, { recursive: true });
    }
  });
});

describe('clients that reset the connection', () => {
  it('in the middle of an upgrade being refused or accepted: the server goes on', async () => {
    for (let i = 0; i < 150; i++) {
      await new Promise<void>((resolve) => {
        const origin = i % 3 === 0 ? 'http://evil.example' : `http://127.0.0.1:${server.port}`;
        const c = connect(server.port, '127.0.0.1', () => {
          c.write(
            `GET /${i % 2 ? 'nope' : 'ws'} HTTP/1.1\r\n${host()}Origin: ${origin}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
              `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: what-is-async.v1\r\n\r\n`,
          );
          setImmediate(() => {
            c.resetAndDestroy();
            resolve();
          });
        });
        c.on('error', () => resolve());
      });
    }
    await expectStillServing();
    expect(server.incidents.total).toBe(0);
  });
});

describe('WebSocket messages with prototype names or huge bad input', () => {
  it.each([
    ['variant __proto__', { type: 'start', session: 1, demo: 'hello', variant: '__proto__', cols: 80, rows: 24 }, /has no variant "__proto__"/],
    ['variant constructor', { type: 'start', session: 1, demo: 'hello', variant: 'constructor', cols: 80, rows: 24 }, /has no variant "constructor"/],
    ['variant toString', { type: 'start', session: 1, demo: 'hello', variant: 'toString', cols: 80, rows: 24 }, /has no variant "toString"/],
    ['variant hasOwnProperty', { type: 'start', session: 1, demo: 'hello', variant: 'hasOwnProperty', cols: 80, rows: 24 }, /has no variant "hasOwnProperty"/],
    ['demo __proto__', { type: 'start', session: 1, demo: '__proto__', cols: 80, rows: 24 }, /unknown demo "__proto__"/],
    ['demo constructor', { type: 'start', session: 1, demo: 'constructor', cols: 80, rows: 24 }, /unknown demo "constructor"/],
    ['parameter constructor', { type: 'start', session: 1, demo: 'hello', params: { constructor: 1 }, cols: 80, rows: 24 }, /has no parameter "constructor"/],
    ['parameter toString', { type: 'start', session: 1, demo: 'hello', params: { toString: 'x' }, cols: 80, rows: 24 }, /has no parameter "toString"/],
    ['parameter valueOf', { type: 'start', session: 1, demo: 'hello', params: { valueOf: true }, cols: 80, rows: 24 }, /has no parameter "valueOf"/],
    ['type constructor', { type: 'constructor', session: 1 }, /unknown message type "constructor"/],
    ['type __proto__', { type: '__proto__', session: 1 }, /unknown message type "__proto__"/],
  ])('%s', async (_name, msg, pattern) => {
    const c = await TestClient.connect(server.port);
    c.send(msg);
    expect((await c.message('error')).message).toMatch(pattern);
    await c.close();
    await expectStillServing();
  });

  it.each([
    ['params.__proto__', '{"type":"start","session":1,"demo":"hello","cols":80,"rows":24,"params":{"__proto__":{"count":9}}}'],
    ['a top-level __proto__', '{"type":"stop","session":1,"__proto__":{"type":"start"}}'],
  ])('refuses an own "__proto__" key: %s', async (_name, raw) => {
    const c = await TestClient.connect(server.port);
    c.sendRaw(raw);
    expect((await c.message('error')).message).toMatch(/"__proto__".*not allowed/);
    expect(c.messages.some((m) => m.type === 'started')).toBe(false);
    await c.close();
  });

  it.each([['"0x3"'], ['" 3 "'], ['"3e0"'], ['"3"'], ['3.0e400'], ['true'], ['[3]']])('refuses the parameter count %s: only a JSON number in range is one', async (v) => {
    const c = await TestClient.connect(server.port);
    c.sendRaw(`{"type":"start","session":1,"demo":"hello","cols":80,"rows":24,"params":{"count":${v}}}`);
    expect((await c.message('error')).message).toMatch(/count|params/);
    expect(c.messages.some((m) => m.type === 'started')).toBe(false);
    await c.close();
  });

  it('answers 60 KB of bad input with a short error, however often', async () => {
    const c = await TestClient.connect(server.port);
    const bad = [
      JSON.stringify({ type: 'x'.repeat(60_000) }),
      JSON.stringify({ type: 'stop', session: 1, ['k'.repeat(60_000)]: 1 }),
      JSON.stringify('s'.repeat(60_000)),
      JSON.stringify({ type: 'start', session: 1, demo: 'd'.repeat(60_000), cols: 80, rows: 24 }),
      JSON.stringify({ type: 'start', session: 1, demo: 'hello', params: { count: 'c'.repeat(60_000) }, cols: 80, rows: 24 }),
    ];
    for (let i = 0; i < 200; i++) c.sendRaw(bad[i % bad.length]!);
    await c.until(() => c.messages.filter((m) => m.type === 'error').length >= 200, 20_000, '200 errors');
    const longest = Math.max(...c.messages.filter((m) => m.type === 'error').map((m) => JSON.stringify(m).length));
    expect(longest).toBeLessThan(400);
    await c.close();
  });

  it('a handler that throws is logged once with its cause, answered with an error, and the server goes on', async () => {
    const registry = server.registry as Map<string, unknown>;
    const realGet = registry.get.bind(registry);
    registry.get = () => {
      throw new Error('registry exploded');
    };
    const c = await TestClient.connect(server.port);
    try {
      c.send({ type: 'start', session: 1, demo: 'hello', cols: 80, rows: 24 });
      c.send({ type: 'start', session: 2, demo: 'hello', cols: 80, rows: 24 });
      await c.until(() => c.messages.filter((m) => m.type === 'error').length >= 2, 5000, 'two errors');
    } finally {
      registry.get = realGet;
    }
    expect(c.messages.find((m) => m.type === 'error')?.message).toMatch(/internal error.*page socket goes on/);
    const lines = logged.filter((l) => /registry exploded/.test(l));
    expect(lines).toHaveLength(1); // the second time is counted, not logged again
    expect(lines[0]).toMatch(/while handling a WebSocket message \{"type":"start"/);
    // The same page socket still runs a demo, and so does a new one.
    c.send({ type: 'start', session: 3, demo: 'hello', variant: 'selectors', params: { count: 1, delay: 0.1 }, cols: 80, rows: 24 });
    started.push((await c.message('started', 3)).pid);
    expect((await c.message('exit', 3, 15_000)).code).toBe(0);
    await c.close();
    await runsADemo();
  });

  it('refuses an ack of more than was sent, with an error', async () => {
    const c = await TestClient.connect(server.port);
    c.send({ type: 'start', session: 1, demo: 'hello', variant: 'selectors', params: { count: 1, delay: 0.1 }, cols: 80, rows: 24 });
    started.push((await c.message('started', 1)).pid);
    await c.message('exit', 1, 15_000).catch(() => undefined);
    c.send({ type: 'start', session: 2, demo: 'chat', params: { bots: 0 }, cols: 80, rows: 24 });
    started.push((await c.message('started', 2)).pid);
    await c.until(() => c.bytes(2) > 0, 10_000, 'some output');
    c.send({ type: 'ack', session: 2, bytes: 2 ** 32 });
    expect((await c.message('error', 2)).message).toMatch(/ack of 4294967296 bytes refused: only \d+ bytes were sent/);
    c.send({ type: 'stop', session: 2 });
    await c.message('exit', 2);
    await c.close();
  });
});

describe('open WebSockets are capped per remote address and in total', () => {
  it('refuses the one too many with a reason the page can show, and admits again after a close', async () => {
    const s = await startTestServer({ socketsPerRemote: 3, socketsTotal: 5 });
    const open: TestClient[] = [];
    try {
      for (let i = 0; i < 3; i++) open.push(await TestClient.connect(s.port));
      const refused = await TestClient.connect(s.port);
      const [code, reason] = await new Promise<[number, string]>((r) => refused.ws.once('close', (c, why) => r([c, why.toString()])));
      expect(code).toBe(1013);
      expect(reason).toMatch(/too many demo WebSockets from 127\.0\.0\.1 \(3 open, at most 3\)/);
      expect(refused.messages[0]).toMatchObject({ type: 'error' });
      // Another loopback address still gets in, until the server's total is reached.
      for (const local of ['127.0.0.2', '127.0.0.3']) open.push(await TestClient.connect(s.port, { localAddress: local }));
      const overTotal = await TestClient.connect(s.port, { localAddress: '127.0.0.4' });
      const why = await new Promise<string>((r) => overTotal.ws.once('close', (_c, w) => r(w.toString())));
      expect(why).toMatch(/has 5 demo WebSockets open, its limit/);
      expect(s.pageSocketCount()).toBe(5);
      await open.shift()!.close();
      const again = await TestClient.connect(s.port);
      expect((await again.message('welcome')).type).toBe('welcome');
      open.push(again);
    } finally {
      for (const c of open) await c.close();
      await s.close();
    }
  });
});
