/**
 * C100K on this machine, beside C10K, in one run. Run: npx tsx bench/c100k.ts  (~3-4 min)
 *
 * Four runs of the demo's launcher (demos/c10k/c10k.py), one after another:
 *   asyncio, one process, 10,000 idle connections          (the c10k slide)
 *   asyncio, N processes on one port, 100,000              (--workers 0: N from the limits)
 *   threads, one process, 10,000
 *   threads, N processes on one port, 100,000 asked for    (it stops at its wall)
 * Each is followed by a SessionMeter exactly as a slide's meters follow it (root = the
 * launcher, the process under test found by the manifest's match: the server, or the
 * group's server_group.py and every worker under it, summed). Once both sides hold:
 *   - the ramp time (the server's own figure: first to last accepted connection) and the
 *     load generators' own;
 *   - memory per connection: the meters' figure (RSS added since before load, summed over
 *     the group, ÷ connections added) and the servers' own printed figure;
 *   - the meters against an independent reading of /proc (tests/fixtures/c10k/group-truth.ts):
 *     connections, RSS, threads, fds, summed over the group;
 *   - what the meters cost: CPU of this process (which does little else) per second of the run,
 *     ramp and hold, and during 5 s of the hold alone;
 *   - the wall that stopped the ramp, if any, as the server printed it;
 *   - Stop: SIGTERM to the launcher, then the time until every process of the run is gone,
 *     and until the namespace's TCP sockets are back to where they were before.
 *
 * Writes bench/results/c100k.json. Bounded: 150 s per run, 540 s overall; every process
 * started is killed at the end, also on error or Ctrl-C.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResourceSample } from '../server/metrics/sample.js';
import { SessionMeter } from '../server/session/session-meter.js';
import { isAlive } from '../server/session/process-tree.js';
import { C10kRun, GROUP_FILE, SERVER_FILE, everyPid, killEverything, type Model } from '../tests/fixtures/c10k/run.js';
import { readGroupTruth, tcpInUse, type GroupTruth } from '../tests/fixtures/c10k/group-truth.js';

interface Case {
  label: string;
  model: Model;
  connections: number;
  /** c10k.py --workers: undefined for one server process by itself (the c10k slide), 0 for as many as the limits need */
  workers: number | undefined;
  rate: number;
}

const CASES: Case[] = [
  { label: 'asyncio, 1 process', model: 'asyncio', connections: 10_000, workers: undefined, rate: 50_000 },
  { label: 'asyncio, N processes', model: 'asyncio', connections: 100_000, workers: 0, rate: 20_000 },
  { label: 'threads, 1 process', model: 'threads', connections: 10_000, workers: undefined, rate: 50_000 },
  { label: 'threads, N processes', model: 'threads', connections: 100_000, workers: 0, rate: 20_000 },
];
const RUN_MS = 150_000;
const DEADLINE_MS = 540_000;

const here = path.dirname(fileURLToPath(import.meta.url));
const jsonFile = path.join(here, 'results', 'c100k.json');
const KiB = 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;
const num = (s: string): number => Number(s.replace(/,/g, ''));
const fmt = (x: number): string => x.toLocaleString('en-US');
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(1, b);

interface Result {
  label: string;
  model: Model;
  asked: number;
  held: number;
  processes: number;
  plan: string[];
  wall: string | null;
  rampSeconds: number;
  clientRampSeconds: number | null;
  perConnection: { meterKiB: number | null; serverKiB: number; kernelKiB: number | null };
  meter: Pick<ResourceSample, 'connections' | 'rssBytes' | 'threads' | 'fds' | 'processes'>;
  truth: Omit<GroupTruth, 'pids'> & { processes: number };
  disagreement: { connections: number; rss: number; threads: number; fds: number };
  /** CPU of the meters from the server's start to the comparison: ramp and hold */
  meterCpuPercentOfOneCore: number;
  /** the same during 5 s of the hold alone */
  meterHoldCpuPercentOfOneCore: number;
  stop: { processesGoneMs: number; socketsGoneMs: number | null; processes: number };
}

function readSys(name: string): string | null {
  try {
    return fs.readFileSync(`/proc/sys/${name}`, 'utf8').trim();
  } catch {
    return null;
  }
}

function machine(): Record<string, unknown> {
  const py = (code: string): string => {
    try {
      return execFileSync('python3', ['-c', code], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    python: py('import sys; print(sys.version.split()[0])'),
    node: process.version,
    date: new Date().toISOString(),
    loadAverageAtStart: os.loadavg().map((x) => round(x, 2)),
    limits: {
      openFilesSoftHard: py('import resource; print(*resource.getrlimit(resource.RLIMIT_NOFILE))'),
      threadsMax: readSys('kernel/threads-max'),
      pidMax: readSys('kernel/pid_max'),
      vmMaxMapCount: readSys('vm/max_map_count'),
      ephemeralPorts: readSys('net/ipv4/ip_local_port_range')?.replace(/\s+/, '-') ?? null,
      somaxconn: readSys('net/core/somaxconn'),
    },
  };
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function measure(c: Case): Promise<Result> {
  const tcpBefore = tcpInUse();
  const run = new C10kRun({ model: c.model, connections: c.connections, rate: c.rate, workers: c.workers, hold: 0 });
  let latest: { sample: ResourceSample; perConnectionBytes: number | null; kernelBytesSinceBaseline: number } | undefined;
  let meter: SessionMeter | undefined;
  try {
    const { pid } = await run.server(30_000);
    const c0 = cpuMs();
    const t0 = performance.now();
    meter = new SessionMeter({
      root: run.pid,
      match: c.workers === undefined ? SERVER_FILE[c.model] : GROUP_FILE,
      hz: 4,
      onMetrics: (m) => (latest = m),
    });
    // The server's conclusion and the generators' (after a wall, each holds what it has).
    const s = await run.waitFor(/server: holding ([\d,]+) idle connections[^\n]*\n[\s\S]*?server: ramp ([\d.]+) s; RSS \+[\d.]+ MiB = ([\d.]+) KiB/, RUN_MS);
    const held = num(s[1]!);
    const cl = await run.waitFor(/client: holding ([\d,]+) idle connections[^\n]*\(ramp ([\d.]+) s\)/, RUN_MS).catch(() => null);
    // The meters may confirm a big count a few seconds late (the TCP table read is budgeted).
    const deadline = Date.now() + 30_000;
    while (!(latest && rel(latest.sample.connections, held) <= 0.01 && latest.sample.pid === pid) && Date.now() < deadline) await sleep(250);
    await sleep(1000); // one more second of sampling during the hold
    const cost = ((cpuMs() - c0) / (performance.now() - t0)) * 100;
    // and during the hold alone, once the count is confirmed
    const h0 = cpuMs();
    const ht = performance.now();
    await sleep(5000);
    const holdCost = ((cpuMs() - h0) / (performance.now() - ht)) * 100;
    if (!latest) throw new Error('no metrics');
    const m = latest;
    const truth = readGroupTruth(pid);
    const wall = /server: WALL: ([^\n]*)/.exec(run.text())?.[1] ?? null;
    const plan = [...run.text().matchAll(/\] (plan: [^\n]*)/g)].map((x) => x[1]!);
    await meter.stop();
    meter = undefined;
    // Stop, as the deck's Stop does for the launcher's whole tree: how long until it is gone.
    const pids = run.pids();
    const t = performance.now();
    run.terminate();
    while (pids.some(isAlive) && performance.now() - t < 20_000) await sleep(10);
    const processesGoneMs = Math.round(performance.now() - t);
    // Gone: forget them. 30,000 threads make pids come round again within seconds, and a
    // SIGKILL to a pid of ours that another process now holds would end that process.
    for (const p of pids) if (!isAlive(p)) everyPid.delete(p);
    let socketsGoneMs: number | null = null;
    while (performance.now() - t < 30_000) {
      if (tcpInUse() <= tcpBefore + 50) {
        socketsGoneMs = Math.round(performance.now() - t);
        break;
      }
      await sleep(20);
    }
    const sample = m.sample;
    return {
      label: c.label,
      model: c.model,
      asked: c.connections,
      held,
      processes: sample.processes,
      plan,
      wall,
      rampSeconds: Number(s[2]),
      clientRampSeconds: cl ? Number(cl[2]) : null,
      perConnection: {
        meterKiB: m.perConnectionBytes === null ? null : round(m.perConnectionBytes / KiB),
        serverKiB: Number(s[3]),
        kernelKiB: sample.connections ? round(m.kernelBytesSinceBaseline / sample.connections / KiB) : null,
      },
      meter: { connections: sample.connections, rssBytes: sample.rssBytes, threads: sample.threads, fds: sample.fds, processes: sample.processes },
      truth: { rssBytes: truth.rssBytes, threads: truth.threads, fds: truth.fds, connections: truth.connections, processes: truth.pids.length },
      disagreement: {
        connections: round(rel(sample.connections, truth.connections) * 100, 3),
        rss: round(rel(sample.rssBytes, truth.rssBytes) * 100, 3),
        threads: Math.abs(sample.threads - truth.threads),
        fds: round(rel(sample.fds, truth.fds) * 100, 3),
      },
      meterCpuPercentOfOneCore: round(cost, 2),
      meterHoldCpuPercentOfOneCore: round(holdCost, 2),
      stop: { processesGoneMs, socketsGoneMs, processes: pids.length },
    };
  } finally {
    await meter?.stop();
    run.terminate();
    killEverything();
  }
}

async function main(): Promise<void> {
  if (process.platform !== 'linux') {
    console.error('c100k: this benchmark reads /proc; run it on Linux.');
    process.exit(1);
  }
  const started = Date.now();
  const info = machine();
  console.log(`c100k: ${CASES.map((c) => c.label).join('; ')} (${info.os}, ${info.cores} cores, Python ${info.python}, load ${(info.loadAverageAtStart as number[]).join(' ')})`);
  const results: Result[] = [];
  const failures: string[] = [];
  // `npx tsx bench/c100k.ts "asyncio, N"`: only the cases whose label contains it
  const only = process.argv.slice(2);
  for (const c of CASES.filter((x) => only.length === 0 || only.some((o) => x.label.includes(o)))) {
    if (Date.now() - started > DEADLINE_MS) {
      failures.push(`${c.label}: skipped, past the ${DEADLINE_MS / 1000} s deadline`);
      continue;
    }
    process.stdout.write(`  ${c.label.padEnd(22)} ${fmt(c.connections).padStart(7)}: `);
    try {
      const r = await measure(c);
      results.push(r);
      const d = r.disagreement;
      console.log(
        `held ${fmt(r.held)} in ${r.processes} process${r.processes === 1 ? '' : 'es'}, ramp ${r.rampSeconds.toFixed(2)} s, ` +
          `per connection ${r.perConnection.meterKiB ?? '-'} KiB (meters) / ${r.perConnection.serverKiB} KiB (servers), ` +
          `${fmt(r.meter.threads)} threads; meters vs /proc: connections ${d.connections} %, RSS ${d.rss} %, threads ${d.threads}; ` +
          `meters ${r.meterCpuPercentOfOneCore} % of a core (hold alone ${r.meterHoldCpuPercentOfOneCore} %); Stop: gone in ${r.stop.processesGoneMs} ms, sockets ${r.stop.socketsGoneMs ?? '-'} ms` +
          (r.wall ? `\n      WALL: ${r.wall}` : ''),
      );
    } catch (e) {
      const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
      failures.push(`${c.label}: ${msg}`);
      console.log(`failed: ${msg}`);
    }
    await sleep(2000);
  }
  const result = {
    benchmark: 'c100k',
    description:
      'Idle connections held by asyncio and by a thread per connection, in one process (10,000) and in N processes sharing one port ' +
      '(100,000 asked for), side by side in one run: ramp time, memory per connection summed over the server group, the meters checked ' +
      'against an independent /proc reading, what the meters cost, the wall that stopped the ramp, and how long Stop takes.',
    machine: info,
    elapsedSeconds: round((Date.now() - started) / 1000, 1),
    results,
    failures,
  };
  fs.mkdirSync(path.dirname(jsonFile), { recursive: true });
  fs.writeFileSync(jsonFile, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${path.relative(process.cwd(), jsonFile)} in ${result.elapsedSeconds} s`);
  if (failures.length) {
    console.log(`${failures.length} failed: ${failures.join('; ')}`);
    process.exitCode = 1;
  }
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    killEverything();
    process.exit(130);
  });
}
main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(killEverything);
