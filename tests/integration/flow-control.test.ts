// A program that floods its terminal (like `yes`) must not grow the server's memory nor
// outrun the page: the PTY is paused until the page acknowledges what it has drawn. Checked
// by the server's own counts (bytes sent, pauses), not by how much arrives in a time window.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, FIXTURE_DEMOS } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { waitGone, killAll } from '../helpers/processes.js';
import type { DemoServer } from '../../server/http/demo-server.js';
import type { DemoRun } from '../../server/run/demo-run.js';
import { PAGE_WINDOW } from '../../server/session/page-socket.js';

/** A page's window: above it the PTY is paused until the page acknowledges (it grows with the page's pace, up to MOST). */
const HIGH_WATER = PAGE_WINDOW.high;
const MOST = PAGE_WINDOW.grow?.max ?? HIGH_WATER;

let server: DemoServer;
const started: number[] = [];
beforeAll(async () => {
  server = await startTestServer({ demosDir: FIXTURE_DEMOS });
});
afterAll(async () => {
  await server?.close();
  killAll(started);
});

/** The server's run of the page's demo with this pid. */
function runOf(pid: number): DemoRun {
  const run = [...server.runs.values()].find((r) => r.pid === pid);
  if (!run) throw new Error(`no run with pid ${pid}`);
  return run;
}

/** The most one read of a PTY returns (libuv reads 64 KiB at a time). */
const ONE_READ = 64 * 1024;

describe('flow control', () => {
  it('pauses the PTY after one window of unacknowledged output, and goes on when it is acknowledged', async () => {
    const c = await TestClient.connect(server.port);
    c.send({ type: 'start', session: 1, demo: 'flood', cols: 80, rows: 24 });
    const pid = (await c.message('started', 1)).pid;
    started.push(pid);
    const run = runOf(pid);
    // Paused, and everything it sent has arrived: the page has all there is.
    await c.until(() => run.isPaused && c.bytes(1) === run.stats.outputBytes, 10_000, 'the PTY to pause with all its output delivered');
    expect(run.stats.pauses.acks).toBe(1);
    // Without acknowledgements the server sends at most one PTY read past the watermark.
    expect(c.bytes(1)).toBeGreaterThan(HIGH_WATER);
    expect(c.bytes(1)).toBeLessThanOrEqual(HIGH_WATER + ONE_READ);
    const stalled = c.bytes(1);

    // Acknowledging lets it flow again.
    c.send({ type: 'ack', session: 1, bytes: stalled });
    await c.until(() => c.bytes(1) > stalled + HIGH_WATER / 2, 10_000, 'output after the ack');

    // Ctrl-C reaches the program at once, even while its output is paused.
    await c.until(() => run.isPaused, 10_000, 'the PTY to pause again');
    c.input(1, '\x03');
    const exit = await c.message('exit', 1, 10_000);
    expect(exit.reason).toBe('exited');
    await c.close();
  });

  it('keeps server memory flat while a page reads a flood slowly', async () => {
    const c = await TestClient.connect(server.port);
    c.send({ type: 'start', session: 2, demo: 'flood', cols: 80, rows: 24 });
    const pid = (await c.message('started', 2)).pid;
    started.push(pid);
    const run = runOf(pid);
    await c.until(() => c.bytes(2) > HIGH_WATER, 10_000, 'the first output');
    const before = process.memoryUsage().rss;
    // A slow page: it acknowledges at most 64 KiB every 50 ms, while the program could write
    // hundreds of MB a second. Without flow control the server would buffer it all.
    let acked = 0;
    let peakAhead = 0;
    let peakRss = before;
    const ackLoop = setInterval(() => {
      peakAhead = Math.max(peakAhead, c.bytes(2) - acked);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      const n = Math.min(c.bytes(2) - acked, 64 * 1024);
      if (n > 0) c.send({ type: 'ack', session: 2, bytes: n });
      acked += n;
    }, 50);
    try {
      await c.until(() => acked >= 4 * 1024 * 1024, 60_000, '4 MiB acknowledged'); // it kept flowing
    } finally {
      clearInterval(ackLoop);
    }
    expect(peakAhead).toBeLessThanOrEqual(MOST + ONE_READ);
    // It went at the page's pace: paused again and again, never far ahead.
    // (4 MiB is the largest window many times over: at least a quarter as many pauses as windows.)
    expect(run.stats.pauses.acks).toBeGreaterThan(Math.floor((4 * 1024 * 1024) / MOST / 4));
    expect(run.stats.outputBytes - acked).toBeLessThanOrEqual(MOST + ONE_READ);
    expect(peakRss - before).toBeLessThan(64 * 1024 * 1024);
    c.send({ type: 'stop', session: 2 });
    await c.message('exit', 2);
    expect(await waitGone([pid])).toEqual([]);
    await c.close();
  });
});
