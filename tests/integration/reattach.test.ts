// A run outlives a dropped page socket for its grace period: the page that started it takes it
// back with its secret (and no one else can), gets the screen as it is now and the readings so
// far, and goes on; once the grace period passes the run is stopped and its process tree ended.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, FIXTURE_DEMOS } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { isRunning, killGroups, track } from '../helpers/processes.js';
import type { DemoServer } from '../../server/http/demo-server.js';
import type { AttachedMessage, StartedMessage } from '../../shared/wire.js';

let kept: DemoServer; // a grace period longer than any test here
let brief: DemoServer; // one shorter than the sleeper's 3 s time limit
const started: number[] = [];

beforeAll(async () => {
  [kept, brief] = await Promise.all([
    startTestServer({ demosDir: FIXTURE_DEMOS, graceSeconds: 30, sampleHz: 4 }),
    startTestServer({ demosDir: FIXTURE_DEMOS, graceSeconds: 0.5, sampleHz: 0 }),
  ]);
});
afterAll(async () => {
  await Promise.all([kept?.close(), brief?.close()]);
  killGroups(started);
});

async function startHash(c: TestClient, session: number): Promise<StartedMessage> {
  c.send({ type: 'start', session, demo: 'stdin-hash', variant: 'lines', cols: 80, rows: 24 });
  const s = await c.message('started', session);
  started.push(track(s.pid));
  await c.until(() => c.text(session).includes('ready (lines)'), 10_000, 'the program to be ready');
  return s;
}

describe('taking a run back after the page socket dropped', () => {
  it('gives the page a secret of its own for each run it starts', async () => {
    const c = await TestClient.connect(kept.port);
    const a = await startHash(c, 1);
    const b = await startHash(c, 2);
    expect(a.runId).not.toBe(b.runId);
    // 128 random bits, base64url: 22 characters.
    expect(a.secret).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a.secret).not.toBe(b.secret);
    expect(a.graceSeconds).toBe(30);
    c.send({ type: 'stop', session: 1 });
    c.send({ type: 'stop', session: 2 });
    await c.message('exit', 1);
    await c.message('exit', 2);
    await c.close();
  });

  it('keeps the run while the page is away; only the right secret takes it back, with its screen and readings, and it goes on', async () => {
    const first = await TestClient.connect(kept.port);
    const s = await startHash(first, 1);
    first.input(1, 'before the drop\r');
    await first.until(() => first.text(1).includes('before the drop'), 10_000, 'the echo');
    const run = kept.runs.get(s.runId)!;
    // Some readings first, so there is a history to keep.
    await first.until(() => run.metricsHistory.length >= 3, 10_000, 'three readings');
    first.ws.terminate();
    await new Promise((r) => setTimeout(r, 200));
    expect(run.exit).toBeUndefined();
    expect(isRunning(s.pid)).toBe(true);

    const other = await TestClient.connect(kept.port);
    const wrong = s.secret.slice(0, -2) + (s.secret.endsWith('AA') ? 'BB' : 'AA');
    other.send({ type: 'attach', session: 7, runId: s.runId, secret: wrong, cols: 80, rows: 24 });
    expect((await other.message('error', 7)).message).toMatch(/gone/);
    other.send({ type: 'attach', session: 8, runId: s.runId, secret: 'short', cols: 80, rows: 24 });
    expect((await other.message('error', 8)).message).toMatch(/gone/);
    expect(run.paceSetter).toBeUndefined();

    const back = await TestClient.connect(kept.port);
    const historyThen = run.metricsHistory.length;
    back.send({ type: 'attach', session: 3, runId: s.runId, secret: s.secret, cols: 80, rows: 24 });
    const att = (await back.message('attached', 3)) as AttachedMessage;
    expect(att.readOnly).toBe(false);
    expect(att.snapshot).toMatchObject({ runId: s.runId, demo: 'stdin-hash', variant: 'lines', pid: s.pid });
    expect(att.snapshot.screen.data).toContain('before the drop');
    expect(att.snapshot.screen.data).toContain('ready (lines)');
    expect(att.snapshot.readings.length).toBeGreaterThanOrEqual(historyThen);
    expect(run.paceSetter).toBeDefined();
    // Acknowledging the screen is acknowledging output: the server takes it.
    back.send({ type: 'ack', session: 3, bytes: Buffer.byteLength(att.snapshot.screen.data) });
    back.input(3, 'after\r');
    back.input(3, 'END\r');
    const exit = await back.message('exit', 3);
    expect(exit).toMatchObject({ reason: 'exited', code: 0 });
    expect(back.text(3)).toMatch(/after[\s\S]*[0-9a-f]{64}/);
    expect(back.messages.filter((m) => m.type === 'error' && m.session === 3)).toEqual([]);
    // The run is gone now: its secret takes nothing.
    back.send({ type: 'attach', session: 4, runId: s.runId, secret: s.secret, cols: 80, rows: 24 });
    expect((await back.message('error', 4)).message).toMatch(/gone/);
    await Promise.all([other.close(), back.close()]);
  });

  it('a newer connection takes the run over from an older one that is still open: one owner at a time', async () => {
    const old = await TestClient.connect(kept.port);
    const s = await startHash(old, 1);
    const fresh = await TestClient.connect(kept.port);
    fresh.send({ type: 'attach', session: 1, runId: s.runId, secret: s.secret, cols: 80, rows: 24 });
    await fresh.message('attached', 1);
    expect((await old.message('error', 1)).message).toMatch(/taken over/);
    expect(kept.runs.get(s.runId)!.consumerCount).toBe(1);
    fresh.send({ type: 'stop', session: 1 });
    await fresh.message('exit', 1);
    await Promise.all([old.close(), fresh.close()]);
  });

  it('stops the run and ends its whole process tree once the grace period passes', async () => {
    const c = await TestClient.connect(brief.port);
    c.send({ type: 'start', session: 1, demo: 'sleeper', cols: 80, rows: 24 });
    const line = await c.until(() => /pids (\d+) (\d+) (\d+)/.exec(c.text(1)), 10_000, 'the pids line');
    const pids = line.slice(1, 4).map((p) => track(Number(p)));
    started.push(...pids);
    const run = [...brief.runs.values()].find((r) => r.pid === pids[0])!;
    c.ws.terminate();
    // Ended by the grace period (0.5 s), not by its 3 s time limit, and only once every process is gone.
    const exit = await run.done;
    expect(exit.reason).toBe('disconnected');
    expect(pids.filter(isRunning)).toEqual([]);
    expect(brief.runs.get(run.id)).toBeUndefined();
  });
});
