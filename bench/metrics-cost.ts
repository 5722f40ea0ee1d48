/**
 * What does the resource sampler cost? Run: npx tsx bench/metrics-cost.ts  (~1.5 min)
 *
 * Starts Python loads (tests/fixtures/metrics/load.py) and samples each at 4 Hz:
 *   threads-10k   one process with 10,000 idle threads (64 KiB stacks)
 *   sockets-10k   one process with 5,000 loopback connections to its own listener
 *                 = 10,000 ESTABLISHED sockets (+ the listener)
 *   ramp-10k      sockets 0 -> 10,000 while sampling (500 pairs every ~0.5 s): the
 *                 incremental fd scan and TCP-table refresh under churn; once with the
 *                 default costBudget (2 %), once with 5 %
 *   idle          a plain idle Python process, for reference
 * For each: the sampler's own CPU as % of one core (process.cpuUsage() of this Node
 * process over a 10 s window after 2 s of warm-up, minus the same process idling with
 * the load alive), and per sample() call its wall and CPU time (mean / p50 / p95 / max).
 * Also compares sync and async (fs/promises) reads of the expensive procfs files, since
 * the sampler chose sync.
 *
 * Writes bench/results/metrics-cost.json and prints a summary. Everything is bounded
 * (counts, a 300 s overall deadline, the loads' own --max-seconds) and every process it
 * started is killed by pid at the end, also on error or Ctrl-C.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createSampler, startSampling } from '../server/metrics/index.js';
import type { ProcessSampler, ResourceSample, SamplerOptions } from '../server/metrics/sample.js';
import { killAllLoads, startLoad, type LoadProcess } from '../tests/fixtures/metrics/load.js';

const HZ = 4;
const WARMUP_MS = 2_000;
const MEASURE_MS = 10_000;
const IDLE_MS = 3_000;
const DEADLINE_MS = 300_000;

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsFile = path.join(here, 'results', 'metrics-cost.json');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Wraps a sampler to time every sample() call. */
class TimedSampler implements ProcessSampler {
  readonly durations: number[] = [];
  readonly cpu: number[] = [];
  measuring = false;
  constructor(readonly inner: ProcessSampler) {}
  get pid(): number {
    return this.inner.pid;
  }
  async sample(): Promise<ResourceSample | null> {
    const t0 = performance.now();
    const c0 = cpuMs();
    const s = await this.inner.sample();
    if (this.measuring) {
      this.durations.push(performance.now() - t0);
      this.cpu.push(cpuMs() - c0);
    }
    return s;
  }
  close(): void {
    this.inner.close();
  }
}

interface ScenarioResult {
  name: string;
  description: string;
  samples: number;
  cpuPercentOfOneCore: number;
  cpuPercentRaw: number;
  /** the part of cpuPercentRaw spent inside sample() calls (the rest: GC, timers, the bench's own I/O) */
  cpuPercentInSample: number;
  idleCpuPercent: number;
  msPerSample: { mean: number; p50: number; p95: number; max: number };
  cpuMsPerSample: { mean: number; p50: number; p95: number; max: number };
  firstSampleMs: number;
  last: ResourceSample | null;
  sampleRange: { connections: [number, number]; threads: [number, number]; fds: [number, number] };
  samplerParts?: unknown;
}

async function idleCpuPercent(ms: number): Promise<number> {
  const c0 = cpuMs();
  const t0 = performance.now();
  await sleep(ms);
  return ((cpuMs() - c0) / (performance.now() - t0)) * 100;
}

async function runScenario(
  name: string,
  description: string,
  load: LoadProcess,
  during?: (elapsedMs: number) => Promise<void>,
  samplerOptions?: SamplerOptions,
): Promise<ScenarioResult> {
  await sleep(1_000); // let the load settle and this process's own start-up work finish
  const idle = await idleCpuPercent(IDLE_MS);
  const timed = new TimedSampler(createSampler(load.pid, samplerOptions));
  const samples: ResourceSample[] = [];
  let firstSampleMs = Number.NaN;
  const tStart = performance.now();
  const run = startSampling(load.pid, {
    hz: HZ,
    sampler: timed,
    onSample: (s) => {
      if (samples.length === 0) firstSampleMs = performance.now() - tStart;
      samples.push(s);
    },
  });
  await sleep(WARMUP_MS);
  timed.measuring = true;
  const c0 = cpuMs();
  const t0 = performance.now();
  const n0 = samples.length;
  while (performance.now() - t0 < MEASURE_MS) {
    if (during) await during(performance.now() - t0);
    else await sleep(250);
  }
  const wall = performance.now() - t0;
  const cpu = cpuMs() - c0;
  timed.measuring = false;
  const measured = samples.slice(n0);
  const stats = (timed.inner as { stats?: unknown }).stats;
  await run.stop();
  if ((await run.done) !== 'stopped') throw new Error(`${name}: sampling ended early`);

  const d = [...timed.durations].sort((a, b) => a - b);
  const c = [...timed.cpu].sort((a, b) => a - b);
  const raw = (cpu / wall) * 100;
  const range = (k: 'connections' | 'threads' | 'fds'): [number, number] => [
    Math.min(...measured.map((s) => s[k])),
    Math.max(...measured.map((s) => s[k])),
  ];
  return {
    name,
    description,
    samples: measured.length,
    cpuPercentOfOneCore: round(Math.max(0, raw - idle)),
    cpuPercentRaw: round(raw),
    cpuPercentInSample: round((c.reduce((a, b) => a + b, 0) / wall) * 100),
    idleCpuPercent: round(idle),
    msPerSample: {
      mean: round(d.reduce((a, b) => a + b, 0) / Math.max(1, d.length), 3),
      p50: round(percentile(d, 50), 3),
      p95: round(percentile(d, 95), 3),
      max: round(d[d.length - 1] ?? Number.NaN, 3),
    },
    cpuMsPerSample: {
      mean: round(c.reduce((a, b) => a + b, 0) / Math.max(1, c.length), 3),
      p50: round(percentile(c, 50), 3),
      p95: round(percentile(c, 95), 3),
      max: round(c[c.length - 1] ?? Number.NaN, 3),
    },
    firstSampleMs: round(firstSampleMs, 1),
    last: measured.at(-1) ?? null,
    sampleRange: { connections: range('connections'), threads: range('threads'), fds: range('fds') },
    samplerParts: stats,
  };
}

/** Sync vs fs/promises for the reads that dominate at 10k sockets (Linux only). */
async function compareIo(pid: number): Promise<Record<string, unknown>> {
  const dir = `/proc/${pid}/fd`;
  const fds = fs.readdirSync(dir);
  const time = async (fn: () => unknown, reps: number): Promise<{ wallMs: number; cpuMs: number }> => {
    await fn();
    const c0 = cpuMs();
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await fn();
    return { wallMs: round((performance.now() - t0) / reps, 2), cpuMs: round((cpuMs() - c0) / reps, 2) };
  };
  const boundedAll = async (items: string[], limit: number, fn: (s: string) => Promise<unknown>): Promise<void> => {
    let i = 0;
    await Promise.all(
      Array.from({ length: limit }, async () => {
        while (i < items.length) await fn(items[i++]!);
      }),
    );
  };
  return {
    fdCount: fds.length,
    readlinkAllFds: {
      sync: await time(() => {
        for (const f of fds) fs.readlinkSync(`${dir}/${f}`);
      }, 3),
      asyncConcurrency16: await time(() => boundedAll(fds, 16, (f) => fsp.readlink(`${dir}/${f}`)), 3),
    },
    readNetTcp: {
      sync: await time(() => fs.readFileSync(`/proc/${pid}/net/tcp`), 5),
      async: await time(() => fsp.readFile(`/proc/${pid}/net/tcp`), 5),
    },
    statFdDirSize: await time(() => fs.statSync(dir).size, 200),
    readdirFd: await time(() => fs.readdirSync(dir).length, 5),
  };
}

function tcpRows(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  let rows = 0;
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      rows += fs.readFileSync(f, 'latin1').split('\n').length - 2;
    } catch {
      // not there
    }
  }
  return rows;
}

function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} (${process.platform}/${process.arch})`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    date: new Date().toISOString(),
    loadAverage: os.loadavg().map((x) => round(x, 2)),
    // every row of the namespace's TCP tables costs the sampler (TIME_WAIT rows of other work too)
    tcpTableRowsAtStart: tcpRows(),
  };
}

function fmt(r: ScenarioResult): string {
  const l = r.last;
  return (
    `${r.name.padEnd(12)} cpu ${String(r.cpuPercentOfOneCore).padStart(5)} % of one core ` +
    `(raw ${r.cpuPercentRaw}, in sample() ${r.cpuPercentInSample}, idle ${r.idleCpuPercent}); per sample: wall mean ${r.msPerSample.mean} ms ` +
    `p50 ${r.msPerSample.p50} max ${r.msPerSample.max}, cpu mean ${r.cpuMsPerSample.mean} ms p50 ${r.cpuMsPerSample.p50}  ` +
    `[${r.samples} samples; last: ` +
    `${l ? `threads ${l.threads}, fds ${l.fds}, conns ${l.connections}, rss ${round(l.rssBytes / 2 ** 20, 1)} MiB` : '-'}]`
  );
}

async function main(): Promise<void> {
  const machineAtStart = machine();
  const results: ScenarioResult[] = [];
  let io: Record<string, unknown> | undefined;
  const maxSeconds = String(Math.ceil(DEADLINE_MS / 1000));

  {
    const load = await startLoad(['--threads', '10000', '--stack-kb', '64'], { timeoutMs: 60_000, maxSeconds: Number(maxSeconds) });
    results.push(await runScenario('threads-10k', 'one process, 10,000 idle threads (64 KiB stacks)', load));
    console.log(fmt(results.at(-1)!));
    load.kill();
  }
  {
    const load = await startLoad(['--pairs', '5000'], { timeoutMs: 60_000, maxSeconds: Number(maxSeconds) });
    results.push(
      await runScenario('sockets-10k', 'one process, 5,000 loopback connections to its own listener = 10,000 ESTABLISHED sockets', load),
    );
    console.log(fmt(results.at(-1)!));
    if (process.platform === 'linux') io = await compareIo(load.pid);
    load.kill();
  }
  for (const budget of [undefined, 0.05]) {
    const load = await startLoad([], { maxSeconds: Number(maxSeconds) });
    let added = 0;
    const during = async (): Promise<void> => {
      if (added < 5000) {
        await load.command('pairs 500');
        added += 500;
      }
      await sleep(500);
    };
    const name = budget === undefined ? 'ramp-10k' : `ramp-10k-budget-${budget}`;
    const what = 'sockets 0 -> 10,000 while sampling (500 pairs every ~0.5 s)' + (budget ? `, costBudget ${budget}` : '');
    results.push(await runScenario(name, what, load, during, budget === undefined ? undefined : { costBudget: budget }));
    console.log(fmt(results.at(-1)!));
    load.kill();
  }
  {
    const load = await startLoad([], { maxSeconds: Number(maxSeconds) });
    results.push(await runScenario('idle', 'one idle Python process (reference)', load));
    console.log(fmt(results.at(-1)!));
    load.kill();
  }

  const out = {
    benchmark: 'resource sampler cost (server/metrics)',
    method:
      `startSampling at ${HZ} Hz; ${WARMUP_MS} ms warm-up (first samples, JIT) not counted, then ${MEASURE_MS} ms measured. ` +
      'cpuPercentOfOneCore = process.cpuUsage() of the bench process over the window / wall time, minus the same process ' +
      'idling for 3 s with the load alive (cpuPercentRaw is before that subtraction). msPerSample = wall time of sample().',
    machine: machineAtStart,
    scenarios: results,
    ioComparison: io,
  };
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, JSON.stringify(out, null, 2) + '\n');
  console.log(`\nwrote ${path.relative(process.cwd(), resultsFile)}`);
  if (io) console.log('sync vs async procfs reads:', JSON.stringify(io));
}

const deadline = setTimeout(() => {
  console.error(`bench: over ${DEADLINE_MS / 1000} s, giving up`);
  killAllLoads();
  process.exit(2);
}, DEADLINE_MS);
deadline.unref();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killAllLoads();
    process.exit(130);
  });
}

main()
  .then(() => {
    killAllLoads();
    clearTimeout(deadline);
  })
  .catch((error: unknown) => {
    console.error(error);
    killAllLoads();
    process.exitCode = 1;
  });
