// A page that stops reading while it keeps sending must not grow the server: what waits for it
// is bounded by what its socket really has queued, not by what it claims to have drawn.
// Before, acks of 2^32 bytes every 5 ms grew the server from 94 to 549 MB in 20 s.
import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { startServerProcess } from '../helpers/server-process.js';
import { TestClient } from '../helpers/ws-client.js';
import { get } from '../helpers/raw-http.js';
import { killGroups } from '../helpers/processes.js';

const started: number[] = [];
afterAll(() => killGroups(started));

const MiB = 1024 * 1024;
/** The server may grow by this much in 30 s of two lying, non-reading pages. */
const RSS_GROWTH_BOUND = 48 * MiB;

/** The resident memory of a running process; 0 once it is gone. */
function rssOf(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  } catch {
    return 0;
  }
}

describe('a page that stops reading', () => {
  it('with lying acks for 30 s: the server’s memory stays bounded, and it still serves', { timeout: 90_000 }, async () => {
    const child = await startServerProcess('fixtures');
    const port = child.port;
    try {
      // Two liars, each with a flooding demo: one acks 2^32 bytes (more than was ever sent),
      // one acks 16 KiB at a time (believable, and together far more than it reads: nothing).
      const liars = await Promise.all([TestClient.connect(port), TestClient.connect(port)]);
      for (const c of liars) {
        c.send({ type: 'start', session: 1, demo: 'flood', cols: 80, rows: 24 });
        started.push((await c.message('started', 1)).pid);
        c.ws.pause(); // stop reading: everything the server sends from now on stays queued
      }
      await new Promise((r) => setTimeout(r, 1000));
      const before = rssOf(child.pid);
      let peak = before;
      const acks = setInterval(() => {
        liars[0]!.send({ type: 'ack', session: 1, bytes: 2 ** 32 });
        liars[1]!.send({ type: 'ack', session: 1, bytes: 16 * 1024 });
      }, 5);
      const sample = setInterval(() => (peak = Math.max(peak, rssOf(child.pid))), 250);
      try {
        for (let s = 0; s < 30; s++) {
          await new Promise((r) => setTimeout(r, 1000));
          expect(child.ended(), 'the server process ended').toBeUndefined();
          expect((await get(port, '/')).status).toBe(200); // it keeps serving all along
        }
      } finally {
        clearInterval(acks);
        clearInterval(sample);
      }
      console.log(`server RSS over 30 s of two lying, non-reading pages: ${(before / MiB).toFixed(1)} MiB before, peak ${(peak / MiB).toFixed(1)} MiB (+${((peak - before) / MiB).toFixed(1)} MiB)`);
      expect(peak - before).toBeLessThan(RSS_GROWTH_BOUND);

      // The page that resumes reading finds the refusals, each short.
      liars[0]!.ws.resume();
      const refused = await liars[0]!.until(() => liars[0]!.messages.find((m) => m.type === 'error'), 10_000, 'an error');
      expect(refused.message).toMatch(/ack of 4294967296 bytes refused/);
      for (const c of liars) c.ws.terminate();
    } finally {
      await child.close();
    }
  });
});
