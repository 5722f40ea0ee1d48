// Seeded fuzzing of what the server parses: random HTTP request lines and headers, random
// WebSocket messages and frames, against one server. Bounded in count and in time; after it
// the server must still run a demo to exit 0, with its file descriptors back to the baseline
// and no internal error caught on the way (each would be a bug).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { startTestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { rawHttp, get } from '../helpers/raw-http.js';
import { killGroups, waitGone } from '../helpers/processes.js';
import { encodeFrame } from '../../shared/wire.js';
import type { DemoServer } from '../../server/http/demo-server.js';

const SEED = 20140413;
const HTTP_CASES = 800;
const WS_CASES = 1500;
const RAW_WS_CASES = 40;
const TIME_BUDGET_MS = 8000;

let server: DemoServer;
const logged: string[] = [];
const started: number[] = [];
beforeAll(async () => {
  server = await startTestServer({ log: (l) => logged.push(l), sampleHz: 0 });
});
afterAll(async () => {
  await server?.close();
  killGroups(started);
});

/** mulberry32: small, seeded, the same sequence on every machine. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const chars = (alphabet: string, max: number) => Array.from({ length: int(max + 1) }, () => alphabet[int(alphabet.length)]).join('');
  return { next, int, pick, chars };
}

const fds = () => readdirSync('/proc/self/fd').length;

const NASTY = '/\\%.?#@:;&=+ ~\t"\'<>[]{}|^`aZ09_-\u00e9\u2603\ud83d\ude00';
/** Characters a request target may hold as sent: the parser lets these through to the server's own code. */
const URLISH = "/\\%.?#@:;&=+~!$'()*,aZ09_-";
const PATHS = ['/', '//', '/\\\\', '//:99999', '/ws', '//ws', '/ws/', '/index.html', '/.build-stamp', '/assets/', '/%2e%2e/', '/..', '/?token=a&token=b', '/ws?token=', '*', 'http://x/', '/%', '/%zz', '/\u0000'];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PATCH', 'BREW', 'get', 'G\u00c9T', ''];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2', 'HTTP/9.9', 'http/1.1', '', 'HTTP/1.1 extra'];
const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];

function httpCase(r: ReturnType<typeof prng>, port: number): string {
  const wild = r.next() < 0.25; // mostly requests the parser accepts, so the server's code sees them
  let target = r.next() < 0.6 ? r.pick(PATHS) : '/' + r.chars(wild ? NASTY : URLISH, 30);
  if (r.next() < 0.3) target += r.chars(wild ? NASTY : URLISH, 10);
  const method = wild ? r.pick(METHODS) : r.pick(['GET', 'GET', 'GET', 'HEAD', 'POST', 'OPTIONS']);
  const lines = [`${method} ${target} ${wild ? r.pick(VERSIONS) : 'HTTP/1.1'}`.trimEnd()];
  const headers: string[] = [];
  if (r.next() < 0.8) headers.push(`Host: ${r.pick([`127.0.0.1:${port}`, 'localhost', 'evil.example', '', `[::1]:${port}`, r.chars(NASTY, 20)])}`);
  if (r.next() < 0.3) headers.push(`Range: ${r.pick(['bytes=', 'items=', ''])}${r.chars('0123456789-,= ', 12)}`);
  if (r.next() < 0.3) headers.push(`Origin: ${r.pick([`http://127.0.0.1:${port}`, 'null', 'http://evil.example', r.chars(NASTY, 20)])}`);
  if (r.next() < 0.3) {
    headers.push('Connection: Upgrade', `Upgrade: ${r.pick(['websocket', 'h2c', 'WebSocket', r.chars(NASTY, 8)])}`);
    if (r.next() < 0.7) headers.push(`Sec-WebSocket-Version: ${r.pick(['13', '8', '', 'x'])}`, `Sec-WebSocket-Key: ${r.pick(['dGhlIHNhbXBsZSBub25jZQ==', '', r.chars(NASTY, 24)])}`);
    if (r.next() < 0.7) headers.push(`Sec-WebSocket-Protocol: ${r.pick(['what-is-async.v1', 'what-is-async.v0', '', r.chars(NASTY, 20)])}`);
  } else headers.push('Connection: close');
  if (r.next() < 0.2) headers.push(`Content-Length: ${r.pick(['0', '-1', '5', '99999999999999999999', 'x'])}`);
  if (r.next() < 0.1) headers.push('Transfer-Encoding: chunked');
  if (r.next() < 0.2) headers.push(`${r.chars('abcXYZ-_:', 10) || 'X'}: ${r.chars(NASTY, 40)}`);
  if (r.next() < 0.05) headers.push(`X-Big: ${'b'.repeat(20_000 + r.int(60_000))}`);
  const body = r.next() < 0.2 ? r.chars(NASTY, 50) : '';
  const sep = !wild || r.next() < 0.8 ? '\r\n' : r.pick(['\n', '\r', '\r\r\n']);
  return lines.concat(headers).join(sep) + sep + sep + body;
}

function randomValue(r: ReturnType<typeof prng>, depth = 0): unknown {
  switch (r.int(depth > 1 ? 9 : 11)) {
    case 0: return r.int(10);
    case 1: return r.pick([-1, 0, 1.5, 2 ** 32, 2 ** 53, -(2 ** 31), 1e308, 3]);
    case 2: return r.pick(['0x3', ' 3 ', '3e0', '3', '', 'NaN', 'Infinity']);
    case 3: return r.chars(NASTY, 20);
    case 4: return 'z'.repeat(r.int(70_000));
    case 5: return r.pick([true, false, null]);
    case 6: return r.pick(PROTO_NAMES);
    case 7: return r.pick(['hello', 'blocking', 'selectors', 'chat', 'nope']);
    case 8: return r.int(3) + 1;
    case 9: return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: r.int(4) }, () => [r.pick([...PROTO_NAMES, 'count', 'delay', r.chars(NASTY, 6)]), randomValue(r, depth + 1)]));
  }
}

function wsCase(r: ReturnType<typeof prng>): string | Buffer {
  const kind = r.int(10);
  if (kind < 2) {
    // binary: random opcode, session and payload
    const payload = Buffer.from(r.chars(NASTY, 200));
    const frame = Buffer.from(encodeFrame(1, 1, payload));
    frame[0] = r.pick([0, 1, 2, 3, 255]);
    frame.writeUInt32BE(r.pick([0, 1, 2, 7, 0xffffffff, r.int(2 ** 32)]), 1);
    return r.next() < 0.1 ? frame.subarray(0, r.int(5)) : frame;
  }
  if (kind < 3) return r.pick(['{', '[]', 'null', '"x"', '{"type":', '\u0000', '{}'.repeat(100)]);
  // a message built from the real ones, then mutated
  const base: Record<string, unknown> = r.pick([
    { type: 'start', session: 1, demo: 'hello', variant: 'selectors', params: { count: 1, delay: 0.1 }, cols: 80, rows: 24 },
    { type: 'stop', session: 1 },
    { type: 'resize', session: 1, cols: 100, rows: 30 },
    { type: 'ack', session: 1, bytes: 100 },
    { type: 'attach', session: 2, runId: '6f1c2b0e-4d4a-4c1e-9a1e-2f3b4c5d6e7f', secret: 'AAAAAAAAAAAAAAAAAAAAAA', cols: 80, rows: 24 },
  ]);
  const msg: Record<string, unknown> = { ...base };
  for (let i = r.int(4); i > 0; i--) {
    const key = r.pick([...Object.keys(base), ...PROTO_NAMES, 'type', 'session', 'demo', 'variant', 'params', 'runId', 'secret', r.chars(NASTY, 5)]);
    if (r.next() < 0.2) delete msg[key];
    else msg[key] = randomValue(r);
  }
  // Keep starts to demos that end by themselves quickly: the fuzz must not launch C10K.
  if (msg.type === 'start' && typeof msg.demo === 'string' && !['hello', 'nope', ...PROTO_NAMES].includes(msg.demo)) msg.demo = 'nope';
  if (msg.type === 'start' && msg.demo === 'hello' && typeof msg.params === 'object' && msg.params) {
    const p = msg.params as Record<string, unknown>;
    if (typeof p.count === 'number') p.count = Math.min(p.count, 3);
    if (typeof p.delay === 'number') p.delay = Math.min(p.delay, 0.3);
  }
  let text = JSON.stringify(msg);
  if (r.next() < 0.2) text = text.replace('{', `{"__proto__":${JSON.stringify(randomValue(r))},`);
  return text;
}

/** A WebSocket handshake done by hand, then random bytes where frames should be. */
function rawWsGarbage(port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    const done = () => {
      clearTimeout(t);
      s.destroy();
      resolve();
    };
    const t = setTimeout(done, 500);
    s.on('error', done);
    s.on('close', done);
    s.on('data', () => s.write(bytes));
    s.write(
      `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: what-is-async.v1\r\n\r\n`,
    );
  });
}

describe('fuzzing the server', () => {
  it(`survives ${HTTP_CASES} random HTTP requests and ${WS_CASES + RAW_WS_CASES} random WebSocket frames (seed ${SEED})`, { timeout: 60_000 }, async () => {
    const r = prng(SEED);
    await get(server.port, '/'); // warm: the first request opens files the baseline should count
    const baseline = fds();
    const deadline = Date.now() + TIME_BUDGET_MS;
    let httpDone = 0;
    const statuses = new Map<number, number>();
    for (let i = 0; i < HTTP_CASES && Date.now() < deadline; i += 10) {
      const batch = Array.from({ length: 10 }, () => rawHttp(server.port, httpCase(r, server.port), 300));
      for (const reply of await Promise.all(batch)) {
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        httpDone++;
      }
    }
    let wsDone = 0;
    const clients = await Promise.all([1, 2, 3].map(() => TestClient.connect(server.port)));
    for (let i = 0; i < WS_CASES && Date.now() < deadline + 4000; i++) {
      const c = clients[i % clients.length]!;
      if (c.ws.readyState !== c.ws.OPEN) clients[i % clients.length] = await TestClient.connect(server.port);
      clients[i % clients.length]!.sendRaw(wsCase(r));
      wsDone++;
      if (i % 50 === 0) await new Promise((res) => setTimeout(res, 10));
    }
    for (let i = 0; i < RAW_WS_CASES; i++) {
      await rawWsGarbage(server.port, Buffer.from(Array.from({ length: 1 + r.int(64) }, () => r.int(256))));
      wsDone++;
    }
    for (const m of clients.flatMap((c) => c.messages)) if (m.type === 'started') started.push(m.pid);
    for (const c of clients) await c.close();
    console.log(`fuzz (seed ${SEED}): ${httpDone} HTTP requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}; ${wsDone} WebSocket frames`);
    expect(httpDone).toBeGreaterThan(100);
    expect(wsDone).toBeGreaterThan(300);
    expect(statuses.get(500) ?? 0).toBe(0);

    // Everything the fuzz started has ended; the server still runs a demo to exit 0.
    expect(await waitGone(started, 10_000)).toEqual([]);
    await expect.poll(() => server.runs.count, { timeout: 10_000 }).toBe(0);
    expect((await get(server.port, '/')).status).toBe(200);
    const c = await TestClient.connect(server.port);
    c.send({ type: 'start', session: 1, demo: 'hello', variant: 'blocking', params: { count: 1, delay: 0.1 }, cols: 80, rows: 24 });
    started.push((await c.message('started', 1)).pid);
    expect((await c.message('exit', 1, 15_000)).code).toBe(0);
    await c.close();
    await expect.poll(() => server.pageSocketCount(), { timeout: 5000 }).toBe(0);
    await expect.poll(fds, { timeout: 10_000, interval: 100 }).toBeLessThanOrEqual(baseline);
    console.log(`file descriptors: ${baseline} before the fuzz, ${fds()} after`);
    expect(server.incidents.total).toBe(0);
    expect(logged).toEqual([]);
  });
});
