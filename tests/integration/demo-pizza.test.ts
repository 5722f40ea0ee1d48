// Demo "pizza" (a slow backend): the real samples, run directly and through the demo server.
// Point: 100 clients on a slow backend take about clients/pool x delay through a 10-thread
// pool and about one delay through asyncio; one blocking call inside the coroutine makes
// asyncio serve them one at a time.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startTestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { killAll, waitGone } from '../helpers/processes.js';
import type { DemoServer } from '../../server/http/demo-server.js';

const DIR = resolve(ROOT, 'demos/pizza');
const started: number[] = [];

interface Figures { clients: number; delay: number; elapsed: number; at_once: number; fastest: number; slowest: number }

/** Runs pizza.py with --json and returns its figures (the last JSON line) and its output. */
function runPizza(server: string, clients: number, delay: number): Promise<{ fig: Figures; out: string }> {
  return new Promise((done, fail) => {
    const child = spawn('python3', ['pizza.py', '--server', server, '--clients', String(clients), '--delay', String(delay), '--json'], {
      cwd: DIR,
      detached: true, // its own process group, so afterAll can end every process it started
    });
    started.push(child.pid!);
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.split('\n').reverse().find((l) => l.startsWith('{'));
      if (code !== 0 || !line) return fail(new Error(`pizza.py --server ${server} exited ${code}:\n${out}`));
      done({ fig: JSON.parse(line) as Figures, out });
    });
  });
}

/** Every live descendant of `pid` (from /proc). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // gone meanwhile
    }
  }
  const all: number[] = [];
  const walk = (p: number): void => {
    for (const c of children.get(p) ?? []) {
      all.push(c);
      walk(c);
    }
  };
  walk(pid);
  return all;
}

function killGroups(): void {
  for (const pid of started) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  killAll(started);
}

describe.skipIf(process.platform !== 'linux')('demo pizza: a slow backend', () => {
  afterAll(killGroups);

  // Little CPU is used (everyone waits for the backend), so the three runs may overlap.
  const DELAY = 1; // a longer delay makes the fixed start-up costs (100 connections) matter less
  let threads: Figures, aio: Figures, blocking: Figures;
  beforeAll(async () => {
    [threads, aio, blocking] = (
      await Promise.all([runPizza('threads', 100, DELAY), runPizza('asyncio', 100, DELAY), runPizza('asyncio-blocking', 10, 0.3)])
    ).map((r) => r.fig) as [Figures, Figures, Figures];
    console.log('pizza figures', JSON.stringify({ threads, asyncio: aio, asyncioBlocking: blocking }));
  }, 60_000);

  it('a 10-thread pool needs about clients/pool x delay; asyncio about one delay', () => {
    expect(threads.elapsed).toBeGreaterThanOrEqual(0.8 * (100 / 10) * DELAY);
    expect(threads.at_once).toBeLessThan(12); // never more than the pool's 10 at a time
    expect(aio.elapsed).toBeLessThan(4 * DELAY);
    expect(aio.at_once).toBeGreaterThan(25);
    expect(threads.elapsed).toBeGreaterThanOrEqual(5 * aio.elapsed);
  });

  it('one blocking call inside the coroutine makes asyncio serial', () => {
    expect(blocking.elapsed).toBeGreaterThanOrEqual(0.7 * 10 * 0.3);
    expect(blocking.at_once).toBeLessThan(1.5);
    // and the first client still got its answer after one delay: the backend is not the problem
    expect(blocking.fastest).toBeLessThan(3 * 0.3);
  });

  it('runs through the demo server, meters the server, and stops cleanly', async () => {
    const server: DemoServer = await startTestServer();
    try {
      const c = await TestClient.connect(server.port);
      c.send({ type: 'start', session: 1, demo: 'pizza', variant: 'asyncio-blocking', params: { clients: 20, delay: 1 }, cols: 80, rows: 24 });
      const s = await c.message('started', 1);
      started.push(s.pid);
      await c.until(() => /1 of 20 clients served/.test(c.text(1)), 15_000, 'the first client served');
      const m = await c.until(
        () => c.messages.find((x) => x.type === 'metrics' && x.session === 1 && x.underTest.pid !== s.pid),
        10_000,
        'metrics of the server under test',
      );
      if (m.type !== 'metrics') throw new Error('not metrics');
      expect(readFileSync(`/proc/${m.underTest.pid}/cmdline`, 'utf8')).toContain('server_asyncio.py');
      const pids = [s.pid, ...descendants(s.pid)];
      started.push(...pids);
      expect(pids.length).toBeGreaterThanOrEqual(4); // launcher, backend, server, clients
      c.send({ type: 'stop', session: 1 });
      expect((await c.message('exit', 1)).reason).toBe('stopped');
      expect(await waitGone(pids, 1000)).toEqual([]);
      expect(c.text(1)).not.toMatch(/Traceback/);
      await c.close();
    } finally {
      await server.close();
    }
  });
});
