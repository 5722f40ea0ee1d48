// The Linux sampler against known truth: real Python processes (tests/fixtures/metrics/
// load.py) that allocate memory, start threads, open TCP connections, spawn children,
// spin, and exit. Every process started is SIGKILLed by pid after each test.
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createSampler, LinuxSampler, perConnection, startSampling, type SamplingEndReason } from '../../server/metrics/index.js';
import type { ProcessSampler, ResourceSample, SamplerOptions } from '../../server/metrics/sample.js';
import { killAllLoads, startLoad } from '../fixtures/metrics/load.js';

const MiB = 1024 * 1024;
const samplers: ProcessSampler[] = [];

/**
 * Default options, except where sockets are counted: those tests check truth, not the
 * cost budget (bench/metrics-cost.ts does that), and a generous budget keeps them quick
 * when other tests fill the shared network namespace with thousands of TIME_WAIT rows,
 * which makes every TCP-table read expensive.
 */
const SOCKET_TESTS = { costBudget: 0.25 };

function sampler(pid: number, opts?: SamplerOptions): ProcessSampler {
  const s = createSampler(pid, opts);
  samplers.push(s);
  return s;
}

afterEach(() => {
  for (const s of samplers.splice(0)) s.close();
  killAllLoads();
});

/** Sample until `ok` holds (the sampler may refresh socket data a little later). */
async function sampleUntil(
  s: ProcessSampler,
  ok: (x: ResourceSample) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<ResourceSample> {
  const deadline = Date.now() + timeoutMs;
  let last: ResourceSample | null = null;
  for (;;) {
    last = await s.sample();
    if (last && ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last sample ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Samples until one includes a CPU (stat) read that started after this call (the sampler
 * reads CPU time on a cadence that stretches with its cost), and returns it.
 */
async function afterNextCpuRead(s: LinuxSampler): Promise<ResourceSample> {
  const before = s.stats.cpuReads;
  for (let i = 0; i < 1000; i++) {
    const x = await s.sample();
    if (!x) throw new Error('the process is gone');
    if (s.stats.cpuReads > before) return x;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no CPU read in 1,000 samples');
}

/** RSS of the given pids by another interface (/proc/<pid>/status VmRSS). */
function statusRss(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    total += Number(m?.[1] ?? 0) * 1024;
  }
  return total;
}

describe.skipIf(process.platform !== 'linux')('Linux resource sampler, known truth', () => {
  it('a process that allocates 100 MiB shows ~100 MiB more RSS and PSS (within 10%)', async () => {
    const load = await startLoad();
    const s = sampler(load.pid);
    const before = await sampleUntil(s, (x) => x.pssBytes !== undefined, 'a first PSS');
    await load.command('alloc 100');
    const after = await sampleUntil(s, (x) => x.rssBytes - before.rssBytes > 50 * MiB, 'RSS to grow');
    const rssDelta = after.rssBytes - before.rssBytes;
    expect(rssDelta).toBeGreaterThan(90 * MiB);
    expect(rssDelta).toBeLessThan(110 * MiB);
    // the same number through another interface
    expect(Math.abs(after.rssBytes - statusRss([load.pid]))).toBeLessThan(2 * MiB);

    const pss = await sampleUntil(s, (x) => (x.pssBytes ?? 0) - (before.pssBytes ?? 0) > 50 * MiB, 'PSS to grow');
    const pssDelta = pss.pssBytes! - before.pssBytes!;
    expect(pssDelta).toBeGreaterThan(90 * MiB);
    expect(pssDelta).toBeLessThan(110 * MiB);

    await load.command('free');
    const freed = await sampleUntil(s, (x) => x.rssBytes - before.rssBytes < 50 * MiB, 'RSS to drop');
    expect(freed.rssBytes - before.rssBytes).toBeLessThan(10 * MiB);
  });

  it('a process that starts 200 threads shows 200 more threads', async () => {
    const load = await startLoad();
    const s = sampler(load.pid);
    const before = (await s.sample())!;
    expect(before.threads).toBeGreaterThanOrEqual(1);
    await load.command('threads 200');
    const after = await sampleUntil(s, (x) => x.threads >= before.threads + 200, '200 threads');
    expect(after.threads).toBeGreaterThanOrEqual(200);
    expect(after.threads).toBe(before.threads + 200);
    expect(after.threads).toBe(readdirSync(`/proc/${load.pid}/task`).length); // another interface
    expect(after.processes).toBe(1);
  });

  it('500 connections to its own listener: 1001 more fds, 1000 ESTABLISHED sockets; closing them counts down', async () => {
    const load = await startLoad();
    const s = sampler(load.pid, SOCKET_TESTS);
    const before = (await s.sample())!;
    expect(before.connections).toBe(0);
    await load.command('pairs 500');
    // New sockets count at once, provisionally (the listener too), until the TCP tables
    // are read: the count must settle at the truth and stay there.
    const after = await sampleUntil(s, (x) => x.connections === 1000, 'exactly 1000 connections');
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
      expect((await s.sample())!.connections).toBe(1000);
    }
    expect(after.fds).toBeGreaterThanOrEqual(500);
    expect(after.fds).toBe(before.fds + 1 + 1000); // listener + client ends + accepted ends
    expect(after.connections).toBeGreaterThanOrEqual(500);
    expect(after.connections).toBe(1000); // both ends live in the tree: 2 sockets per connection
    // memory per connection against the baseline: defined, and sane for Python sockets
    const per = perConnection(before, after);
    expect(per).toBeTypeOf('number');
    expect(Math.abs(per!)).toBeLessThan(1 * MiB);

    await load.command('close-pairs');
    const closed = await sampleUntil(s, (x) => x.connections === 0 && x.fds === before.fds + 1, 'connections to close');
    expect(closed.connections).toBe(0);
  });

  it('sums children into the tree', async () => {
    const load = await startLoad();
    const s = sampler(load.pid);
    const before = (await s.sample())!;
    expect(before.processes).toBe(1);
    const { pid: childPid } = (await load.command('child 60')) as { pid: number };
    const after = await sampleUntil(s, (x) => x.processes === 2 && x.rssBytes - before.rssBytes > 60 * MiB, 'the child');
    expect(after.rssBytes - before.rssBytes).toBeGreaterThan(60 * MiB);
    // the tree's RSS is the parent's plus the child's, read independently
    const truth = statusRss([load.pid, childPid]);
    expect(Math.abs(after.rssBytes - truth) / truth).toBeLessThan(0.03);
    expect(after.threads).toBeGreaterThan(before.threads);
    expect(after.fds).toBeGreaterThan(before.fds);
    // the child alone is a tree of one
    const c = sampler(childPid);
    const child = (await c.sample())!;
    expect(child.processes).toBe(1);
    expect(child.rssBytes).toBeGreaterThan(60 * MiB);
  });

  it('CPU %: ~0 idle; spinning, it matches what the process measures itself', async () => {
    const load = await startLoad();
    const s = new LinuxSampler(load.pid);
    samplers.push(s);
    await s.sample();
    await new Promise((r) => setTimeout(r, 500));
    const idle = await afterNextCpuRead(s);
    expect(idle.cpuPercent).toBeLessThan(20);
    await load.command('busy');
    // The truth: the process's own CPU clock (clock_gettime(CLOCK_PROCESS_CPUTIME_ID)),
    // over the same span as the sampler's: each of the two readings right after one of the
    // sampler's CPU reads (it reads CPU time on a cadence that stretches under load, so the
    // span ends when its read comes, not when a timer says). Other tests share the 2 cores,
    // so one spinning thread may get much less than 100 %, and its share changes from one
    // moment to the next; what must hold is sampler == truth over the same span.
    await afterNextCpuRead(s);
    const c1 = (await load.command('cpu')) as { cpu: number; wall: number };
    await new Promise((r) => setTimeout(r, 1_200));
    const busy = await afterNextCpuRead(s);
    const c2 = (await load.command('cpu')) as { cpu: number; wall: number };
    const truth = ((c2.cpu - c1.cpu) / (c2.wall - c1.wall)) * 100;
    expect(truth).toBeGreaterThan(5); // it did spin
    expect(Math.abs(busy.cpuPercent - truth)).toBeLessThan(15);
  });

  it('a process exiting mid-sampling ends the series cleanly (onEnd once, no error)', async () => {
    const load = await startLoad(['--exit-after', '1']);
    const samples: ResourceSample[] = [];
    const ends: Array<[SamplingEndReason, unknown]> = [];
    const run = startSampling(load.pid, {
      hz: 10,
      samplerOptions: SOCKET_TESTS,
      onSample: (x) => samples.push(x),
      onEnd: (reason, error) => ends.push([reason, error]),
    });
    const reason = await Promise.race([
      run.done,
      new Promise((_, reject) => setTimeout(() => reject(new Error('sampling did not end')), 8_000)),
    ]);
    expect(reason).toBe('exited');
    expect(ends).toEqual([['exited', undefined]]);
    expect(samples.length).toBeGreaterThanOrEqual(1); // it lived a second: at least the first sample
    expect(samples.every((x) => x.pid === load.pid && x.processes >= 1)).toBe(true);
    await run.stop();
    expect(ends).toHaveLength(1);
  });

  it('a busy tree SIGKILLed while being sampled back to back never makes sample() throw', async () => {
    const load = await startLoad(['--threads', '500', '--pairs', '300']);
    await load.command('child 10');
    const s = sampler(load.pid, SOCKET_TESTS);
    let killer: NodeJS.Timeout | undefined;
    let samples = 0;
    const deadline = Date.now() + 10_000;
    try {
      for (;;) {
        const x = await s.sample();
        if (x === null) break;
        samples++;
        // killed soon after the first sample, mid-way through a later one
        killer ??= setTimeout(() => load.kill(), 50);
        // back to back, but let timers (the killer) and child reaping run
        await new Promise((r) => setImmediate(r));
        if (Date.now() > deadline) throw new Error('the series did not end');
      }
    } finally {
      clearTimeout(killer);
    }
    expect(samples).toBeGreaterThan(0);
    expect(await s.sample()).toBeNull();
  });

  it('a pid that does not exist gives no sample', async () => {
    expect(await sampler(4_194_305).sample()).toBeNull();
  });
});
