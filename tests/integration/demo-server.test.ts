// The real demo server on a loopback port, driven by a real WebSocket client, running real
// PTYs and Python programs.
import { describe, it, expect } from 'vitest';
import { request } from 'node:http';
import { serversForFile } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { isRunning, waitGone } from '../helpers/processes.js';
import { MAX_CLIENT_PAYLOAD } from '../../shared/wire.js';

const { project, fixtures, started } = serversForFile();

describe('running a demo', () => {
  it('runs a registry demo in a PTY, streams its output and reports its exit', async () => {
    const c = await TestClient.connect(project().port);
    const welcome = await c.message('welcome');
    expect(welcome.demos.map((d) => d.id)).toEqual(expect.arrayContaining(['hello', 'chat']));
    c.send({ type: 'start', session: 1, demo: 'hello', variant: 'blocking', params: { count: 2, delay: 0.1 }, cols: 80, rows: 24 });
    const s = await c.message('started', 1);
    started.push(s.pid);
    expect(s.argv.slice(1)).toContain('blocking.py');
    const exit = await c.message('exit', 1, 15_000);
    expect(exit).toMatchObject({ code: 0, signal: null, reason: 'exited' });
    // A real PTY: the program sees a terminal, so its newlines arrive as CRLF.
    expect(c.text(1)).toMatch(/\r\n/);
    expect(c.text(1)).toMatch(/2 requests/);
    expect(await waitGone([s.pid])).toEqual([]);
    await c.close();
  });

  it('says when the run reaches each step of its manifest, after the line that reached it and before the exit', async () => {
    const c = await TestClient.connect(project().port);
    const seen: { label: string; text: string }[] = [];
    c.ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) return;
      const m = JSON.parse(data.toString()) as { type: string; label?: string };
      if (m.type === 'marker') seen.push({ label: m.label!, text: c.text(1) }); // the output so far
    });
    c.send({ type: 'start', session: 1, demo: 'hello', variant: 'selectors', params: { count: 2, delay: 0.1 }, cols: 80, rows: 24 });
    started.push((await c.message('started', 1)).pid);
    await c.message('exit', 1, 15_000);
    expect(seen.map((m) => m.label)).toEqual(['first request sent', 'all answered']);
    expect(seen[0]!.text).toMatch(/#1 (connected, )?request sent/);
    expect(seen[1]!.text).toMatch(/requests in [\d.]+ s/);
    const types = c.messages.map((m) => m.type);
    expect(types.lastIndexOf('marker')).toBeLessThan(types.indexOf('exit'));
    await c.close();
  });

  it('forwards keyboard input to the PTY', async () => {
    const c = await TestClient.connect(project().port);
    c.send({ type: 'start', session: 7, demo: 'chat', variant: 'asyncio', params: { bots: 0 }, cols: 80, rows: 24 });
    const s = await c.message('started', 7);
    started.push(s.pid);
    await c.until(() => /quit/i.test(c.text(7)), 10_000, 'the chat banner');
    c.input(7, 'hello from the test\r');
    await c.until(() => c.text(7).split('hello from the test').length > 1, 10_000, 'the typed line');
    c.send({ type: 'stop', session: 7 });
    expect((await c.message('exit', 7)).reason).toBe('stopped');
    expect(await waitGone([s.pid])).toEqual([]);
    await c.close();
  });

  it('stop ends the whole process tree, even a grandchild in its own session', async () => {
    const c = await TestClient.connect(fixtures().port);
    c.send({ type: 'start', session: 1, demo: 'sleeper', cols: 80, rows: 24 });
    const line = await c.until(() => /pids (\d+) (\d+) (\d+)/.exec(c.text(1)), 10_000, 'the pids line');
    const pids = line.slice(1, 4).map(Number);
    started.push(...pids);
    expect(pids.every(isRunning)).toBe(true);
    // The exit is reported only once the whole tree is gone: checked the moment it arrives.
    let runningAtExit: number[] | undefined;
    c.ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary && (JSON.parse(data.toString()) as { type: string }).type === 'exit') runningAtExit = pids.filter(isRunning);
    });
    c.send({ type: 'stop', session: 1 });
    const exit = await c.message('exit', 1);
    expect(exit.reason).toBe('stopped');
    expect(runningAtExit).toEqual([]);
    await c.close();
  });

  it('closing the page (the socket) ends its sessions', async () => {
    const c = await TestClient.connect(fixtures().port);
    c.send({ type: 'start', session: 3, demo: 'sleeper', cols: 80, rows: 24 });
    const line = await c.until(() => /pids (\d+) (\d+) (\d+)/.exec(c.text(3)), 10_000, 'the pids line');
    const pids = line.slice(1, 4).map(Number);
    started.push(...pids);
    const run = [...fixtures().runs.values()].find((r) => r.pid === pids[0])!;
    c.ws.terminate();
    // The run ends (as disconnected) once its whole tree is gone, and gives its place back.
    expect((await run.done).reason).toBe('disconnected');
    expect(pids.filter(isRunning)).toEqual([]);
    expect(fixtures().runs.get(run.id)).toBeUndefined();
  });

  it('ends a session at its wall-clock limit', async () => {
    const c = await TestClient.connect(fixtures().port);
    c.send({ type: 'start', session: 2, demo: 'sleeper', cols: 80, rows: 24 });
    const s = await c.message('started', 2);
    started.push(s.pid);
    const exit = await c.message('exit', 2, 30_000); // the fixture's limit is 3 s
    expect(exit.reason).toBe('timeout');
    expect(await waitGone([s.pid])).toEqual([]);
    await c.close();
  });
});

describe('bad input gets a clear error and the page socket keeps working', () => {
  it.each([
    ['not JSON', '{nope', /not valid JSON/],
    ['an unknown type', JSON.stringify({ type: 'launch', session: 1 }), /unknown message type "launch".*start, stop, resize, ack/],
    ['a bad field', JSON.stringify({ type: 'start', session: -4, demo: 'hello', cols: 80, rows: 24 }), /field "session"/],
    ['a missing field', JSON.stringify({ type: 'resize', session: 1, cols: 80 }), /field "rows"/],
    ['an extra field', JSON.stringify({ type: 'stop', session: 1, argv: ['sh'] }), /argv/],
  ])('%s', async (_name, raw, pattern) => {
    const c = await TestClient.connect(project().port);
    c.sendRaw(raw);
    const err = await c.message('error');
    expect(err.message).toMatch(pattern);
    // Still usable: a good request after the bad one runs.
    c.send({ type: 'start', session: 9, demo: 'hello', variant: 'selectors', params: { count: 1, delay: 0.1 }, cols: 80, rows: 24 });
    started.push((await c.message('started', 9)).pid);
    expect((await c.message('exit', 9, 15_000)).code).toBe(0);
    await c.close();
  });

  it.each([
    [{ demo: 'rm-rf' }, /unknown demo "rm-rf"; known demos: .*hello/],
    [{ demo: 'hello', variant: 'bash' }, /demo "hello" has no variant "bash"; its variants: blocking, selectors/],
    [{ demo: 'hello', params: { count: 10_000 } }, /parameter "count" must be from 1 to 10; got 10000/],
    [{ demo: 'hello', params: { count: 2.5 } }, /parameter "count" must be a whole number/],
    [{ demo: 'hello', params: { shell: 'sh' } }, /demo "hello" has no parameter "shell"/],
  ])('refuses %j', async (req, pattern) => {
    const c = await TestClient.connect(project().port);
    c.send({ type: 'start', session: 4, cols: 80, rows: 24, ...req });
    const err = await c.message('error', 4);
    expect(err.message).toMatch(pattern);
    expect(c.messages.some((m) => m.type === 'started')).toBe(false);
    c.send({ type: 'start', session: 5, demo: 'hello', params: { count: 1, delay: 0.1 }, cols: 80, rows: 24 });
    started.push((await c.message('started', 5)).pid);
    await c.message('exit', 5, 15_000);
    await c.close();
  });

  it('answers binary frames for unknown sessions or opcodes, and short frames', async () => {
    const c = await TestClient.connect(project().port);
    c.sendRaw(Buffer.from([2, 0, 0]));
    expect((await c.message('error')).message).toMatch(/shorter than its 5-byte header/);
    c.sendRaw(Buffer.from([1, 0, 0, 0, 1, 65]));
    await c.until(() => c.messages.some((m) => m.type === 'error' && /unknown opcode 1/.test(m.message)), 5000, 'opcode error');
    c.input(77, 'x');
    await c.until(() => c.messages.some((m) => m.type === 'error' && /no running session 77/.test(m.message)), 5000, 'session error');
    await c.close();
  });

  it('closes a page socket that sends more than maxPayload, and only that one', async () => {
    const a = await TestClient.connect(project().port);
    const b = await TestClient.connect(project().port);
    const closed = new Promise<number>((r) => a.ws.once('close', (code) => r(code)));
    a.sendRaw('x'.repeat(MAX_CLIENT_PAYLOAD + 1));
    expect(await closed).toBe(1009); // "message too big"
    b.send({ type: 'start', session: 1, demo: 'hello', params: { count: 1, delay: 0.1 }, cols: 80, rows: 24 });
    started.push((await b.message('started', 1)).pid);
    await b.message('exit', 1, 15_000);
    await b.close();
  });

  it('caps the sessions one page may run', async () => {
    const c = await TestClient.connect(fixtures().port);
    const welcome = await c.message('welcome');
    const cap = welcome.limits.sessionsPerPage;
    for (let i = 1; i <= cap + 1; i++) c.send({ type: 'start', session: i, demo: 'sleeper', cols: 80, rows: 24 });
    const err = await c.message('error', cap + 1);
    expect(err.message).toMatch(/the most one page may run/);
    for (let i = 1; i <= cap; i++) started.push((await c.message('started', i)).pid);
    await c.close();
    await waitGone(started.slice(-cap));
  });
});

describe('the WebSocket upgrade is checked before any session exists', () => {
  function upgradeStatus(port: number, headers: Record<string, string>, path = '/ws'): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port,
        path,
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
      });
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        resolve(res.statusCode ?? 101);
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('refuses a foreign Origin with 403', async () => {
    // (a socket an earlier test closed may still be closing on the server: none may be added)
    const before = project().pageSocketCount();
    await expect(TestClient.connect(project().port, { origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    expect(await upgradeStatus(project().port, { Origin: 'http://localhost.evil.example', 'Sec-WebSocket-Protocol': 'what-is-async.v1' })).toBe(403);
    expect(project().pageSocketCount()).toBeLessThanOrEqual(before);
  });

  it('refuses a request with no Origin', async () => {
    await expect(TestClient.connect(project().port, { origin: null })).rejects.toThrow('HTTP 403');
  });

  it('accepts the deck’s own origin under each loopback name', async () => {
    for (const origin of [`http://127.0.0.1:${project().port}`, `http://localhost:${project().port}`]) {
      const c = await TestClient.connect(project().port, { origin });
      await c.message('welcome');
      await c.close();
    }
  });

  it('refuses a client of another protocol version', async () => {
    await expect(TestClient.connect(project().port, { protocol: 'what-is-async.v0' })).rejects.toThrow('HTTP 400');
  });

  it('refuses HTTP requests naming a foreign Host (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve) =>
      request({ host: '127.0.0.1', port: project().port, path: '/', headers: { Host: 'evil.example' } }, (res) => resolve(res.statusCode ?? 0)).end(),
    );
    expect(status).toBe(421);
  });
});
