// A program that floods its terminal (like `yes`) must not grow the server's memory nor
// outrun the page: the PTY is paused until the page acknowledges what it has drawn.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, FIXTURE_DEMOS } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { waitGone, killAll } from '../helpers/processes.js';
import type { DemoServer } from '../../server/http/demo-server.js';
import { HIGH_WATER } from '../../server/run/run-consumer.js';

let server: DemoServer;
const started: number[] = [];
beforeAll(async () => {
  server = await startTestServer({ demosDir: FIXTURE_DEMOS });
});
afterAll(async () => {
  await server?.close();
  killAll(started);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('flow control', () => {
  it('stops sending near the high watermark until output is acknowledged', async () => {
    const c = await TestClient.connect(server.port);
    c.send({ type: 'start', session: 1, demo: 'flood', cols: 80, rows: 24 });
    started.push((await c.message('started', 1)).pid);
    await c.until(() => c.bytes(1) > HIGH_WATER, 10_000, 'output past the high watermark');
    await sleep(700);
    const stalled = c.bytes(1);
    await sleep(700);
    // Without acknowledgements the server sends at most one PTY read past the watermark.
    expect(c.bytes(1) - stalled).toBeLessThan(64 * 1024);
    expect(stalled).toBeLessThan(HIGH_WATER + 256 * 1024);

    // Acknowledging lets it flow again.
    c.send({ type: 'ack', session: 1, bytes: c.bytes(1) });
    await c.until(() => c.bytes(1) > stalled + HIGH_WATER / 2, 10_000, 'output after the ack');

    // Ctrl-C reaches the program at once, even while its output is paused.
    c.input(1, '\x03');
    const exit = await c.message('exit', 1, 3000);
    expect(exit.reason).toBe('exited');
    await c.close();
  });

  it('keeps server memory flat while a page reads a flood slowly', async () => {
    const c = await TestClient.connect(server.port);
    c.send({ type: 'start', session: 2, demo: 'flood', cols: 80, rows: 24 });
    const pid = (await c.message('started', 2)).pid;
    started.push(pid);
    await c.until(() => c.bytes(2) > HIGH_WATER, 10_000, 'the first output');
    const before = process.memoryUsage().rss;
    // A slow page: it draws about 1.3 MB/s while the program could write hundreds of MB/s.
    // Without flow control the server would buffer gigabytes in these seconds.
    let acked = 0;
    let peakAhead = 0;
    const ackLoop = setInterval(() => {
      peakAhead = Math.max(peakAhead, c.bytes(2) - acked);
      const n = Math.min(c.bytes(2) - acked, 64 * 1024);
      if (n > 0) c.send({ type: 'ack', session: 2, bytes: n });
      acked += n;
    }, 50);
    try {
      await sleep(3000);
    } finally {
      clearInterval(ackLoop);
    }
    const grew = process.memoryUsage().rss - before;
    expect(acked).toBeGreaterThan(1024 * 1024); // it kept flowing
    expect(peakAhead).toBeLessThan(HIGH_WATER + 256 * 1024);
    expect(grew).toBeLessThan(64 * 1024 * 1024);
    c.send({ type: 'stop', session: 2 });
    await c.message('exit', 2);
    expect(await waitGone([pid])).toEqual([]);
    await c.close();
  });
});
