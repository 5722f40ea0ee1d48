// Demo "not-faster": the real samples, run directly and through the demo server.
// Point: for a few busy connections threads serve about as many requests per second as
// asyncio, or more; for many sleepy connections asyncio needs far less memory per connection.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/server.js';
import { killGroups } from '../helpers/processes.js';
import { figuresOf, runPythonSample } from '../helpers/python-sample.js';
import { inDemoSession, serverUnderTestMetrics, stopAndExpectGone } from '../helpers/demo-session.js';
import { descendants } from '../../server/session/process-tree.js';

const DIR = resolve(ROOT, 'demos/not-faster');
const started: number[] = [];

interface Figures { mode: string; requests: number; rate?: number; per_connection: number; connections: number; threads: number; rss: number; baseline: number }

/** Runs not_faster.py with --json and returns its figures (the last JSON line). */
async function runNotFaster(server: string, args: string[]): Promise<Figures> {
  const argv = ['not_faster.py', '--server', server, ...args, '--json'];
  return figuresOf(await runPythonSample<Figures>(DIR, argv, { timeoutMs: 40_000, started }), `not_faster.py --server ${server}`);
}

const KiB = 1024;
const BUSY = ['--mode', 'busy', '--busy', '4', '--seconds', '3'];
const SLEEPY = ['--mode', 'sleepy', '--sleepy', '2000', '--seconds', '2'];

describe.skipIf(process.platform !== 'linux')('demo not-faster: busy vs sleepy connections', () => {
  afterAll(() => killGroups(started));

  it('a few busy connections: asyncio serves no more requests per second than threads (within 1.5x)', async () => {
    const threads = await runNotFaster('threads', BUSY);
    const aio = await runNotFaster('asyncio', BUSY);
    console.log('not-faster busy', JSON.stringify({ threads, asyncio: aio }));
    expect(threads.requests).toBeGreaterThan(1000);
    expect(aio.requests).toBeGreaterThan(1000);
    // Runs one after another see different load on a shared machine: on a clear loss,
    // try the pair again (at most twice) and compare the best of each.
    let bestThreads = threads.rate!;
    let bestAio = aio.rate!;
    for (let i = 0; i < 2 && bestAio > bestThreads * 1.5; i++) {
      bestThreads = Math.max(bestThreads, (await runNotFaster('threads', BUSY)).rate!);
      bestAio = Math.max(bestAio, (await runNotFaster('asyncio', BUSY)).rate!);
    }
    expect(bestAio).toBeLessThanOrEqual(bestThreads * 1.5);
  }, 60_000);

  it("2,000 sleepy connections: a thread's memory per connection is at least 2x a coroutine's", async () => {
    const threads = await runNotFaster('threads', SLEEPY);
    const aio = await runNotFaster('asyncio', SLEEPY);
    console.log('not-faster sleepy', JSON.stringify({ threads, asyncio: aio }));
    for (const f of [threads, aio]) {
      expect(f.connections).toBeGreaterThanOrEqual(2000);
      expect(f.requests).toBeGreaterThan(0); // the sleepers did talk
    }
    expect(threads.threads).toBeGreaterThanOrEqual(2000); // one per connection
    expect(aio.threads).toBeLessThan(5);
    expect(threads.per_connection).toBeGreaterThanOrEqual(2 * aio.per_connection);
    expect(threads.per_connection).toBeGreaterThan(8 * KiB); // sanity: a thread is not free
  }, 60_000);

  it('runs through the demo server, meters the server, and stops cleanly', async () => {
    await inDemoSession({ demo: 'not-faster', variant: 'threads', params: { mode: 'sleepy', sleepy: 500, seconds: 30 } }, started, async (c, s) => {
      await c.until(() => /500 sleepy connections open/.test(c.text(1)), 15_000, 'the connections');
      const m = await serverUnderTestMetrics(c, s.pid, 'metrics of the server under test with its threads', (x) => x.sample.threads > 400);
      expect(readFileSync(`/proc/${m.underTest.pid}/cmdline`, 'utf8')).toContain('server_threads.py');
      const pids = [s.pid, ...descendants(s.pid)];
      started.push(...pids);
      expect(pids.length).toBeGreaterThanOrEqual(3); // launcher, server, clients
      await stopAndExpectGone(c, pids);
    });
  });
});
