// Demo "pizza" (a slow backend): the real samples, run directly and through the demo server.
// Point: 100 clients on a slow backend take about clients/pool x delay through a 10-thread
// pool and about one delay through asyncio; one blocking call inside the coroutine makes
// asyncio serve them one at a time.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/server.js';
import { killGroups } from '../helpers/processes.js';
import { figuresOf, runPythonSample } from '../helpers/python-sample.js';
import { inDemoSession, serverUnderTestMetrics, stopAndExpectGone } from '../helpers/demo-session.js';
import { descendants } from '../../server/session/process-tree.js';

const DIR = resolve(ROOT, 'demos/pizza');
const started: number[] = [];

interface Figures { clients: number; delay: number; elapsed: number; at_once: number; fastest: number; slowest: number }

/** Runs pizza.py with --json and returns its figures (the last JSON line). */
async function runPizza(server: string, clients: number, delay: number): Promise<Figures> {
  const argv = ['pizza.py', '--server', server, '--clients', String(clients), '--delay', String(delay), '--json'];
  return figuresOf(await runPythonSample<Figures>(DIR, argv, { timeoutMs: 40_000, started }), `pizza.py --server ${server}`);
}

describe.skipIf(process.platform !== 'linux')('demo pizza: a slow backend', () => {
  afterAll(() => killGroups(started));

  // Little CPU is used (everyone waits for the backend), so the three runs may overlap.
  const DELAY = 1; // a longer delay makes the fixed start-up costs (100 connections) matter less
  let threads: Figures, aio: Figures, blocking: Figures;
  beforeAll(async () => {
    [threads, aio, blocking] = await Promise.all([runPizza('threads', 100, DELAY), runPizza('asyncio', 100, DELAY), runPizza('asyncio-blocking', 10, 0.3)]);
    console.log('pizza figures', JSON.stringify({ threads, asyncio: aio, asyncioBlocking: blocking }));
  }, 60_000);

  // Lower bounds of time hold on any machine (the backend's delay is a floor); how much more
  // a run takes depends on the machine, so the rest is counts and ratios of runs made side by side.
  it('a 10-thread pool needs about clients/pool x delay; asyncio about one delay', () => {
    expect(threads.elapsed).toBeGreaterThanOrEqual(0.8 * (100 / 10) * DELAY);
    expect(threads.at_once).toBeLessThan(12); // never more than the pool's 10 at a time
    expect(aio.elapsed).toBeGreaterThanOrEqual(0.9 * DELAY);
    expect(aio.at_once).toBeGreaterThan(25);
    expect(threads.elapsed).toBeGreaterThanOrEqual(5 * aio.elapsed);
  });

  it('one blocking call inside the coroutine makes asyncio serial', () => {
    expect(blocking.elapsed).toBeGreaterThanOrEqual(0.7 * 10 * 0.3);
    expect(blocking.at_once).toBeLessThan(1.5);
    // and the first client got its answer long before the last: the backend is not the
    // problem, the queue in front of it is
    expect(blocking.fastest).toBeGreaterThanOrEqual(0.9 * 0.3);
    expect(blocking.slowest).toBeGreaterThanOrEqual(3 * blocking.fastest);
  });

  it('runs through the demo server, meters the server, and stops cleanly', async () => {
    await inDemoSession({ demo: 'pizza', variant: 'asyncio-blocking', params: { clients: 20, delay: 1 } }, started, async (c, s) => {
      await c.until(() => /1 of 20 clients served/.test(c.text(1)), 15_000, 'the first client served');
      const m = await serverUnderTestMetrics(c, s.pid, 'metrics of the server under test');
      expect(readFileSync(`/proc/${m.underTest.pid}/cmdline`, 'utf8')).toContain('server_asyncio.py');
      const pids = [s.pid, ...descendants(s.pid)];
      started.push(...pids);
      expect(pids.length).toBeGreaterThanOrEqual(4); // launcher, backend, server, clients
      await stopAndExpectGone(c, pids);
    });
  });
});
