// Demo "c10k", its C100K variants (asyncio-100k, threads-100k): several server processes on
// one port (server_group.py and its workers) and several load generators, sized from the
// limits read where it runs. At 100,000 connections this is bench/c100k.ts's work (a minute,
// most of a 2-core machine); here the same code runs small, under a lowered open-file limit
// (soft = hard, as `prlimit` sets it), so that a few thousand connections need several
// processes, as 100,000 do under the real limit:
//   - the meters sum the whole group (every worker under server_group.py), and every sample
//     during the hold agrees with the test's own reading of /proc summed over the group
//     (connections within 1 %, RSS within 5 %, threads exact);
//   - where the limits cannot hold what was asked, the plan names the limit and ramps to
//     what fits, and both sides hold exactly that;
//   - through the demo server, the meters follow the group and Stop ends every process.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResourceSample } from '../../server/metrics/index.js';
import { SessionMeter } from '../../server/session/session-meter.js';
import { descendants } from '../../server/session/process-tree.js';
import { startTestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { waitGone } from '../helpers/processes.js';
import { C10kRun, GROUP_FILE, everyPid, killEverything, type Model } from '../fixtures/c10k/run.js';
import { readGroupTruth, type GroupTruth } from '../fixtures/c10k/group-truth.js';

const n = (x: number): string => x.toLocaleString('en-US');
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(1, b);
/** samples compared once both sides hold */
const HOLD_SAMPLES = 6;

/** SIGTERM to the launcher: every process of the run gone; then forget the pids (they get reused). */
async function stop(run: C10kRun, ms = 2000): Promise<void> {
  const pids = run.pids();
  run.terminate();
  expect(await waitGone(pids, ms)).toEqual([]);
  for (const p of pids) everyPid.delete(p);
  expect(run.text()).not.toMatch(/Traceback/);
}

/**
 * Ramps a group under `nofile` open files per process, follows it with a SessionMeter as a
 * session does (root = the launcher, the group found by its match), and compares every
 * sample during the hold with /proc summed over the group.
 */
async function groupAgainstProc(model: Model, connections: number, nofile: number) {
  const run = new C10kRun({ model, connections, workers: 0, rate: 20_000, nofile: [nofile, nofile] });
  const failures: string[] = [];
  const seen: ResourceSample[] = [];
  const truths: GroupTruth[] = [];
  let holding = false;
  const meter = new SessionMeter({
    root: run.pid,
    match: GROUP_FILE,
    hz: 4,
    onMetrics: ({ sample }) => {
      if (!holding || seen.length >= HOLD_SAMPLES) return;
      const truth = readGroupTruth(sample.pid);
      seen.push(sample);
      truths.push(truth);
      const line = `meter ${sample.connections} connections, ${sample.threads} threads, ${sample.fds} fds, RSS ${sample.rssBytes}, ${sample.processes} processes; /proc ${truth.connections}, ${truth.threads}, ${truth.fds}, ${truth.rssBytes}, ${truth.pids.length}`;
      if (
        rel(sample.connections, truth.connections) > 0.01 ||
        rel(sample.rssBytes, truth.rssBytes) > 0.05 ||
        sample.threads !== truth.threads ||
        sample.processes !== truth.pids.length
      ) {
        failures.push(line);
      }
    },
  });
  try {
    const { pid } = await run.server(20_000);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain(GROUP_FILE);
    const workers = Number((await run.waitFor(/server: (\d+) [\w ]+ processes on 127\.0\.0\.1/, 20_000))[1]);
    await run.waitFor(new RegExp(`client: holding ${n(connections)} idle connections`), 40_000);
    await run.waitFor(new RegExp(`server: holding ${n(connections)} idle connections with [\\d,]+ threads? in ${workers} processes`), 20_000);
    // The count may be confirmed a moment late; sample until the meter has caught up.
    const deadline = Date.now() + 20_000;
    holding = true;
    while (seen.length < HOLD_SAMPLES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    return { run, workers, seen, truths, failures };
  } finally {
    await meter.stop();
  }
}

describe.skipIf(process.platform !== 'linux')('demo c10k, C100K variants: a group of processes on one port', () => {
  afterAll(killEverything);

  it('asyncio: the meters sum every worker of the group, and agree with /proc summed over it', async () => {
    // 1,200 open files a process: 2,500 connections need 3 servers (and 3 load generators)
    const { run, workers, seen, truths, failures } = await groupAgainstProc('asyncio', 2500, 1200);
    expect(run.text()).toMatch(/plan: 3 server processes on one port \(SO_REUSEPORT\)/);
    expect(run.text()).toMatch(/plan: 3 load generators, ~834 each, from 127\.0\.0\.2-127\.0\.0\.4/);
    expect(workers).toBe(3);
    expect(seen.length).toBe(HOLD_SAMPLES);
    expect(failures, 'samples that disagree with /proc').toEqual([]);
    const truth = truths.at(-1)!;
    expect(truth.connections).toBe(2500); // the servers' ends only
    expect(truth.pids.length).toBe(4); // server_group.py and its 3 workers
    expect(truth.threads).toBe(4); // one each
    expect(seen.at(-1)!.processes).toBe(4);
    expect(run.text()).toMatch(/server: holding 2,500 idle connections with 3 threads in 3 processes\n/);
    await stop(run, 1000);
  }, 90_000);

  it('threads: the group sums threads across workers (a thread per connection each)', async () => {
    const { run, seen, truths, failures } = await groupAgainstProc('threads', 1500, 800);
    expect(seen.length).toBe(HOLD_SAMPLES);
    expect(failures, 'samples that disagree with /proc').toEqual([]);
    const truth = truths.at(-1)!;
    expect(truth.pids.length).toBe(4); // server_group.py and 3 workers (800 files: ~650 each)
    expect(truth.connections).toBe(1500);
    expect(truth.threads).toBe(1500 + 3 + 1); // a thread per connection, a main thread per worker, the group's
    expect(seen.at(-1)!.threads).toBe(1504);
    expect(run.text()).toMatch(/plan: threads: kernel\.(pid_max|threads-max) [\d,]+ for the whole machine\n/);
    await stop(run, 1000);
  }, 90_000);

  it('where the limits cannot hold what was asked, it says which limit and ramps to what fits', async () => {
    // 300 open files a process and 3 server processes: 3 x 85 % of (300 - 32) = 681
    const run = new C10kRun({ model: 'asyncio', connections: 3000, workers: 3, rate: 20_000, nofile: [300, 300] });
    await run.waitFor(/plan: ramping to 681 instead\n/, 20_000);
    const text = run.text();
    expect(text).toMatch(/plan: 3,000 connections do not fit here:\n.*plan: {3}open files: 300 a process \(hard 300; raise: ulimit -n\)\n.*plan: {3}and 3 server processes \(--workers\)\n/);
    await run.waitFor(/client: holding 681 idle connections/, 30_000);
    await run.waitFor(/server: holding 681 idle connections with 3 threads in 3 processes/, 20_000);
    expect(run.text()).not.toMatch(/WALL:|stopped:/); // what fits, no wall hit
    await stop(run, 1000);
  }, 60_000);

  it('through the demo server: the meters follow the whole group, and Stop ends every process', async () => {
    const server = await startTestServer();
    try {
      const c = await TestClient.connect(server.port);
      c.send({ type: 'start', session: 1, demo: 'c10k', variant: 'asyncio-100k', params: { groupConnections: 3000, workers: 3, rate: 20000 }, cols: 80, rows: 24 });
      const s = await c.message('started', 1);
      everyPid.add(s.pid);
      await c.until(() => /server: holding 3,000 idle connections with 3 threads in 3 processes/.test(c.text(1)), 40_000, 'the group holding 3,000');
      // A new socket counts at once, provisionally, until the TCP tables say what it is: the
      // workers' listeners may show as connections for a moment (see ResourceSample.connections).
      const m = await c.until(
        () => c.messages.find((x) => x.type === 'metrics' && x.session === 1 && x.sample.connections === 3000),
        20_000,
        'metrics showing 3,000 connections',
      );
      if (m.type !== 'metrics') throw new Error('not metrics');
      expect(m.underTest.match).toBe(GROUP_FILE);
      expect(readFileSync(`/proc/${m.underTest.pid}/cmdline`, 'utf8')).toContain(GROUP_FILE);
      expect(m.sample.connections).toBe(3000); // the servers' ends, not the generators'
      expect(m.sample.processes).toBe(4);
      const pids = [s.pid, ...descendants(s.pid)];
      for (const p of pids) everyPid.add(p);
      expect(pids.length).toBe(1 + 1 + 3 + 1 + 1); // launcher, group + 3 workers, client group + 1 generator
      const t = Date.now();
      c.send({ type: 'stop', session: 1 });
      expect(await waitGone(pids, 1000), 'every process gone within a second of Stop').toEqual([]);
      console.log(`c100k via the demo server: 3,000 connections in 3 workers, all ${pids.length} processes gone ${Date.now() - t} ms after Stop`);
      for (const p of pids) everyPid.delete(p);
      expect((await c.message('exit', 1)).reason).toBe('stopped');
      expect(c.text(1)).not.toMatch(/Traceback/);
      await c.close();
    } finally {
      await server.close();
    }
  }, 60_000);
});
