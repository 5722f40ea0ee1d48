// The audience's listener (serve --audience): its own address and token, pages that follow the
// presenter's slide and watch the presenter's runs read-only, and nothing an audience page
// sends may start, stop, type into or resize a demo. Real servers on loopback (127.0.0.2
// stands in for the LAN), real PTYs.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { request } from 'node:http';
import { Op, encodeFrame } from '../../shared/wire.js';
import { startTestServer, FIXTURE_DEMOS } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import type { DemoServer } from '../../server/http/demo-server.js';

const LAN = '127.0.0.2';
let server: DemoServer;

function tokenOf(url: string): string {
  return new URL(url).searchParams.get('token')!;
}

function audienceClient(opts: { token?: string; origin?: string; localAddress?: string } = {}): Promise<TestClient> {
  const a = server.audience!;
  return TestClient.connect(a.port, {
    host: LAN,
    path: `/ws?token=${encodeURIComponent(opts.token ?? tokenOf(a.url))}`,
    ...(opts.origin !== undefined ? { origin: opts.origin } : {}),
    ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
  });
}

function get(host: string, port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  server = await startTestServer({ demosDir: FIXTURE_DEMOS, audience: { host: LAN, port: 0, maxViewers: 6, viewersPerRemote: 6 } });
});
afterAll(async () => {
  await server?.close();
});

describe('the audience listener', () => {
  it('listens on its own address with its own token, and serves the deck marked as the audience\'s', async () => {
    const a = server.audience!;
    expect(a.host).toBe(LAN);
    expect(a.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.2:${a.port}/\\?token=[\\w-]{20,}$`));
    const page = await get(LAN, a.port, '/', { host: `${LAN}:${a.port}` });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<meta name="what-is-async-audience" content="audience">');
    // The presenter's deck, on loopback, carries the audience URL (the title slide's QR code) and no audience marking.
    const presenter = await get('127.0.0.1', server.port, '/', { host: `127.0.0.1:${server.port}` });
    expect(presenter.body).toContain(`<meta name="what-is-async-audience" content="${a.url}">`);
    // Neither token opens the other's socket; a foreign Host is refused.
    await expect(TestClient.connect(server.port, { path: `/ws?token=${tokenOf(a.url)}` })).resolves.toBeDefined(); // loopback needs no token
    await expect(audienceClient({ token: 'wrong' })).rejects.toThrow(/403/);
    await expect(audienceClient({ origin: `http://127.0.0.1:${server.port}` })).rejects.toThrow(/403/);
    expect((await get(LAN, a.port, '/', { host: 'evil.example' })).status).toBe(421);
  });

  it('refuses every start, stop, input, resize and nav from an audience page, whatever it carries', async () => {
    const presenter = await TestClient.connect(server.port);
    await presenter.message('welcome');
    presenter.send({ type: 'start', session: 1, demo: 'sleeper', variant: 'tree', params: { seconds: 30 }, cols: 80, rows: 24, terminal: 'sleep-term' });
    await presenter.message('started', 1);
    const runsBefore = server.runs.count;

    const viewer = await audienceClient();
    const welcome = await viewer.message('welcome');
    expect(welcome.role).toBe('audience');
    viewer.send({ type: 'watch', session: 1, terminal: 'sleep-term' });
    const attached = await viewer.message('attached', 1);
    expect(attached.readOnly).toBe(true);

    const hostile: (Record<string, unknown> | unknown[] | string)[] = [
      { type: 'start', session: 2, demo: 'flood', variant: 'python', cols: 80, rows: 24 },
      { type: 'start', session: 1, demo: 'sleeper', cols: 80, rows: 24, terminal: 'sleep-term' },
      { type: 'start', demo: 'flood' },
      { type: 'start', session: 3, demo: 'flood', variant: 'python', cols: 80, rows: 24, extra: { __proto__: 1 } },
      '{"type":"start","session":4,"demo":"flood","cols":80,"rows":24,"__proto__":{"x":1}}',
      { type: 'stop', session: 1 },
      { type: 'stop', session: 0 },
      { type: 'stop' },
      { type: 'resize', session: 1, cols: 10, rows: 5 },
      { type: 'resize', session: 1, cols: 1e9, rows: -1 },
      { type: 'nav', slide: 'title', h: 0, v: 0, f: -1 },
      { type: 'attach', session: 1, runId: 'x', secret: 'y', cols: 80, rows: 24 },
      { type: 'START', session: 5, demo: 'flood' },
      { type: ['start'], session: 6 },
      [{ type: 'start' }],
      'not json',
    ];
    for (const m of hostile) viewer.sendRaw(typeof m === 'string' ? m : JSON.stringify(m));
    viewer.sendRaw(Buffer.from(encodeFrame(Op.input, 1, Buffer.from('\x03\x03exit\r'))));
    viewer.sendRaw(Buffer.from(encodeFrame(Op.input, 0, Buffer.from('x'))));
    viewer.sendRaw(Buffer.from([2, 0, 0]));
    viewer.sendRaw(Buffer.from(encodeFrame(7 as never, 1, Buffer.from('x'))));
    const refusals = hostile.length + 4;
    const errors = await viewer.until(() => {
      const e = viewer.messages.filter((m) => m.type === 'error');
      return e.length >= refusals && e;
    }, 10_000, `${refusals} errors`);
    // Each is refused in words a person reads: a start, stop, resize or keystroke by name.
    for (const e of errors.slice(0, 11)) expect(e.type === 'error' && e.message).toMatch(/refused: an audience page only watches/);
    for (const e of errors.slice(hostile.length, hostile.length + 4)) expect(e.type === 'error' && e.message).toMatch(/refused: an audience page only watches|cannot type/);
    // Nothing started, nothing stopped, nothing moved.
    expect(server.runs.count).toBe(runsBefore);
    const run = [...server.runs.values()].find((r) => r.plan.demo === 'sleeper')!;
    expect(run.exit).toBeUndefined();
    expect(run.size).toEqual({ cols: 80, rows: 24 });
    expect(server.nav.current).toBeUndefined();
    expect(viewer.messages.some((m) => m.type === 'exit')).toBe(false);
    // The presenter's Stop still works, and the viewer sees the run end.
    presenter.send({ type: 'stop', session: 1 });
    await viewer.message('exit', 1);
    await presenter.close();
    await viewer.close();
  });

  it('a viewer joining mid-run gets the presenter\'s screen at once, then the output as it comes', async () => {
    const presenter = await TestClient.connect(server.port);
    await presenter.message('welcome');
    const early = await audienceClient();
    await early.message('welcome');
    early.send({ type: 'watch', session: 9, terminal: 'hash-term' });
    await early.message('idle', 9);

    presenter.send({ type: 'start', session: 1, demo: 'stdin-hash', variant: 'lines', cols: 60, rows: 12, terminal: 'hash-term' });
    await presenter.message('started', 1);
    // A watcher of the terminal is attached as the presenter starts it.
    const first = await early.message('attached', 9);
    expect(first.snapshot.demo).toBe('stdin-hash');
    presenter.input(1, 'first line typed by the presenter\r');
    await presenter.until(() => presenter.text(1).includes('first line typed by the presenter'), 10_000, 'echo');

    const late = await audienceClient();
    late.send({ type: 'watch', session: 4, terminal: 'hash-term' });
    const att = await late.message('attached', 4);
    expect(att.snapshot.screen).toMatchObject({ cols: 60, rows: 12 });
    expect(att.snapshot.screen.data).toContain('first line typed by the presenter');
    expect(att.snapshot.pid).toBe([...server.runs.values()].find((r) => r.plan.demo === 'stdin-hash')!.pid);
    presenter.input(1, 'second line\r');
    await late.until(() => late.text(4).includes('second line'), 10_000, 'the second line on the late viewer');
    await early.until(() => early.text(9).includes('second line'), 10_000, 'the second line on the early viewer');
    // The acks a viewer sends are checked like a page's.
    late.send({ type: 'ack', session: 4, bytes: 2 ** 31 });
    await late.until(() => late.messages.some((m) => m.type === 'error' && /ack of \d+ bytes refused/.test(m.message)));
    presenter.send({ type: 'stop', session: 1 });
    await late.message('exit', 4);
    await Promise.all([presenter.close(), early.close(), late.close()]);
  });

  it('hears where the presenter is, on connecting and on every move', async () => {
    const presenter = await TestClient.connect(server.port);
    await presenter.message('welcome');
    presenter.send({ type: 'nav', slide: 'three-foods', h: 1, v: 0, f: -1 });
    const viewer = await audienceClient();
    await viewer.until(() => viewer.messages.some((m) => m.type === 'nav' && m.slide === 'three-foods'));
    presenter.send({ type: 'nav', slide: 'three-foods', h: 1, v: 0, f: 1 });
    await viewer.until(() => viewer.messages.some((m) => m.type === 'nav' && m.f === 1));
    // A bad nav is refused like any bad message, and nothing moves.
    presenter.send({ type: 'nav', slide: '<script>', h: -1, v: 0, f: 0 });
    await presenter.until(() => presenter.messages.some((m) => m.type === 'error' && /field "slide"/.test(m.message)));
    expect(server.nav.current).toEqual({ slide: 'three-foods', h: 1, v: 0, f: 1 });
    await Promise.all([presenter.close(), viewer.close()]);
  });

  it('caps viewers: the one over it is told the room is full, on the page and on the socket', async () => {
    const a = server.audience!;
    const viewers: TestClient[] = [];
    while (a.viewerCount() < a.maxViewers) viewers.push(await audienceClient());
    const page = await get(LAN, a.port, '/', { host: `${LAN}:${a.port}` });
    expect(page.status).toBe(503);
    expect(page.body).toMatch(/The room is full/);
    const over = await audienceClient();
    const closed = await new Promise<{ code: number; reason: string }>((r) => over.ws.once('close', (code, reason) => r({ code, reason: reason.toString() })));
    expect(closed.code).toBe(1013);
    expect(closed.reason).toMatch(/the room is full/);
    expect(over.messages.find((m) => m.type === 'error')).toMatchObject({ message: expect.stringMatching(/the room is full: 6 people/) });
    await viewers.pop()!.close();
    await new Promise((r) => setTimeout(r, 50));
    const again = await audienceClient();
    await again.message('welcome');
    await Promise.all([...viewers, again].map((v) => v.close()));
  });

  it('a viewer that stops reading is skipped and resynced, never buffered for, and the presenter is not paused by it', async () => {
    const presenter = await TestClient.connect(server.port);
    await presenter.message('welcome');
    const stalled = await audienceClient();
    stalled.send({ type: 'watch', session: 1, terminal: 'flood-term' });
    await stalled.message('idle', 1);
    (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    presenter.send({ type: 'start', session: 1, demo: 'flood', variant: 'python', cols: 80, rows: 24, terminal: 'flood-term' });
    await presenter.message('started', 1);
    const run = [...server.runs.values()].find((r) => r.plan.demo === 'flood')!;
    // The presenter reads and acks at once: it sets the pace, and only it.
    let acked = 0;
    presenter.ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) return;
      acked += data.byteLength - 5;
      presenter.send({ type: 'ack', session: 1, bytes: data.byteLength - 5 });
    });
    const rss0 = process.memoryUsage().rss;
    await presenter.until(() => acked > 24 * 1024 * 1024, 60_000, '24 MiB to the presenter');
    const grew = process.memoryUsage().rss - rss0;
    // Every viewer of the run is one follower of it (the audience's fan-out): what it passed on
    // is a small part of the flood; the rest was skipped, not queued for the stalled viewer.
    const follower = [...(run as unknown as { consumers: Set<{ role: string; stats: { deliveredBytes: number; skippedBytes: number } }> }).consumers].find((c) => c.role === 'follower')!;
    expect(follower.stats.deliveredBytes).toBeLessThan(4 * 1024 * 1024);
    expect(follower.stats.skippedBytes).toBeGreaterThan(5 * follower.stats.deliveredBytes);
    expect(run.stats.pauses.socket).toBe(0);
    expect(grew).toBeLessThan(64 * 1024 * 1024);
    // Reading and acknowledging again, it is sent the screen (ESC c + the screen), then live output.
    const screensBefore = (follower as unknown as { stats: { screens: number } }).stats.screens;
    stalled.ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) stalled.send({ type: 'ack', session: 1, bytes: data.byteLength - 5 });
    });
    (stalled.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await stalled.until(() => (follower as unknown as { stats: { screens: number } }).stats.screens > screensBefore, 20_000, 'a resync');
    presenter.send({ type: 'stop', session: 1 });
    await presenter.message('exit', 1);
    stalled.ws.terminate();
    await presenter.close();
  }, 90_000);
});

describe('the speaker view\'s watch on the presenter\'s listener', () => {
  it('follows the presenter\'s run read-only: it cannot stop, resize or type into it', async () => {
    const presenter = await TestClient.connect(server.port);
    await presenter.message('welcome');
    presenter.send({ type: 'start', session: 1, demo: 'sleeper', variant: 'tree', params: { seconds: 30 }, cols: 80, rows: 24, terminal: 'mirror-term' });
    await presenter.message('started', 1);
    const mirror = await TestClient.connect(server.port);
    mirror.send({ type: 'watch', session: 5, terminal: 'mirror-term' });
    await mirror.message('attached', 5);
    mirror.send({ type: 'stop', session: 5 });
    mirror.send({ type: 'resize', session: 5, cols: 20, rows: 5 });
    mirror.input(5, '\x03');
    await mirror.until(() => mirror.messages.filter((m) => m.type === 'error' && /watches another page's run/.test(m.message)).length === 3);
    const run = [...server.runs.values()].find((r) => r.plan.demo === 'sleeper' && !r.exit)!;
    expect(run.size).toEqual({ cols: 80, rows: 24 });
    presenter.send({ type: 'stop', session: 1 });
    await mirror.message('exit', 5);
    await Promise.all([presenter.close(), mirror.close()]);
  });
});
