// Demo "not-faster": the real samples, run directly and through the demo server.
// Point: for a few busy connections threads serve about as many requests per second as
// asyncio, or more; for many sleepy connections asyncio needs far less memory per connection.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startTestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { killAll, waitGone } from '../helpers/processes.js';
import type { DemoServer } from '../../server/http/demo-server.js';

const DIR = resolve(ROOT, 'demos/not-faster');
const started: number[] = [];

interface Figures { mode: string; requests: number; rate?: number; per_connection: number; connections: number; threads: number; rss: number; baseline: number }

/** Runs not_faster.py with --json and returns its figures (the last JSON line) and its output. */
function runNotFaster(server: string, args: string[]): Promise<{ fig: Figures; out: string }> {
  return new Promise((done, fail) => {
    const child = spawn('python3', ['not_faster.py', '--server', server, ...args, '--json'], {
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
      if (code !== 0 || !line) return fail(new Error(`not_faster.py --server ${server} exited ${code}:\n${out}`));
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

const KiB = 1024;
const BUSY = ['--mode', 'busy', '--busy', '4', '--seconds', '3'];
const SLEEPY = ['--mode', 'sleepy', '--sleepy', '2000', '--seconds', '2'];

describe.skipIf(process.platform !== 'linux')('demo not-faster: busy vs sleepy connections', () => {
  afterAll(killGroups);

  it('a few busy connections: asyncio serves no more requests per second than threads (within 1.5x)', async () => {
    const threads = (await runNotFaster('threads', BUSY)).fig;
    const aio = (await runNotFaster('asyncio', BUSY)).fig;
    console.log('not-faster busy', JSON.stringify({ threads, asyncio: aio }));
    expect(threads.requests).toBeGreaterThan(1000);
    expect(aio.requests).toBeGreaterThan(1000);
    // Runs one after another see different load on a shared machine: on a clear loss,
    // try the pair again (at most twice) and compare the best of each.
    let bestThreads = threads.rate!;
    let bestAio = aio.rate!;
    for (let i = 0; i < 2 && bestAio > bestThreads * 1.5; i++) {
      bestThreads = Math.max(bestThreads, (await runNotFaster('threads', BUSY)).fig.rate!);
      bestAio = Math.max(bestAio, (await runNotFaster('asyncio', BUSY)).fig.rate!);
    }
    expect(bestAio).toBeLessThanOrEqual(bestThreads * 1.5);
  }, 60_000);

  it("2,000 sleepy connections: a thread's memory per connection is at least 2x a coroutine's", async () => {
    const threads = (await runNotFaster('threads', SLEEPY)).fig;
    const aio = (await runNotFaster('asyncio', SLEEPY)).fig;
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
    const server: DemoServer = await startTestServer();
    try {
      const c = await TestClient.connect(server.port);
      c.send({ type: 'start', session: 1, demo: 'not-faster', variant: 'threads', params: { mode: 'sleepy', sleepy: 500, seconds: 30 }, cols: 80, rows: 24 });
      const s = await c.message('started', 1);
      started.push(s.pid);
      await c.until(() => /500 sleepy connections open/.test(c.text(1)), 15_000, 'the connections');
      const m = await c.until(
        () => c.messages.find((x) => x.type === 'metrics' && x.session === 1 && x.underTest.pid !== s.pid && x.sample.threads > 400),
        10_000,
        'metrics of the server under test with its threads',
      );
      if (m.type !== 'metrics') throw new Error('not metrics');
      expect(readFileSync(`/proc/${m.underTest.pid}/cmdline`, 'utf8')).toContain('server_threads.py');
      const pids = [s.pid, ...descendants(s.pid)];
      started.push(...pids);
      expect(pids.length).toBeGreaterThanOrEqual(3); // launcher, server, clients
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
