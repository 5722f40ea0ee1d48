/**
 * Memory per idle connection, per server model. Run: npx tsx bench/c10k-memory.ts  (~1.5 min)
 *
 * For each model of demos/c10k (threads, asyncio Protocol, asyncio streams, selectors) and
 * each level (1,000, 5,000 and 10,000 connections), a fresh run of the demo's launcher
 * (c10k.py: the server under test + the idle-connection generator, separate processes):
 *   - a baseline sample of the SERVER process alone, before load (the launcher waits 1 s);
 *   - the ramp 0 -> N as fast as the server accepts (--rate 50000), timed by the server;
 *   - once both sides hold N: a fresh sample (RSS, PSS, threads, fds, connections) and the
 *     machine-wide kernel memory delta (Slab + KernelStack + PageTables) since the baseline.
 * Memory per connection = delta / N. The kernel delta is machine-wide: it includes both
 * ends of every connection (the generator's sockets too) and whatever else the machine did.
 * A thread's 8 MiB stack is reserved address space, not memory: it is not in RSS or PSS
 * (only touched pages are); its kernel side (kernel stack, page tables) is in the kernel delta.
 *
 * Writes bench/results/c10k-memory.json and bench/results/c10k-memory.svg (memory against
 * connections, one line per model). Bounded: 60 s per run, 300 s overall; every process
 * started is killed at the end, also on error or Ctrl-C.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSampler } from '../server/metrics/index.js';
import type { ProcessSampler, ResourceSample } from '../server/metrics/sample.js';
import { C10kRun, killEverything, type Model } from '../tests/fixtures/c10k/run.js';

const MODELS: { model: Model; label: string; color: string }[] = [
  { model: 'threads', label: 'threads (one per connection)', color: '#d62728' },
  { model: 'asyncio-streams', label: 'asyncio streams (a Task each)', color: '#ff7f0e' },
  { model: 'asyncio', label: 'asyncio Protocol', color: '#1f77b4' },
  { model: 'selectors', label: 'selectors + callbacks', color: '#2ca02c' },
];
const LEVELS = [1000, 5000, 10_000];
const RUN_MS = 60_000;
const DEADLINE_MS = 300_000;

const here = path.dirname(fileURLToPath(import.meta.url));
const jsonFile = path.join(here, 'results', 'c10k-memory.json');
const svgFile = path.join(here, 'results', 'c10k-memory.svg');
const KiB = 1024;
const MiB = 1024 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;
const fmt = (x: number): string => x.toLocaleString('en-US');

interface Point {
  model: Model;
  connections: number;
  /** Seconds from the server's first accepted connection to its last (printed by the server). */
  rampSeconds: number;
  /** The load generator's own ramp time, for comparison. */
  clientRampSeconds: number | null;
  threads: number;
  fds: number;
  rssDeltaBytes: number;
  pssDeltaBytes: number | null;
  kernelDeltaBytes: number;
  perConnection: { rssKiB: number; pssKiB: number | null; kernelKiB: number };
}

function readSys(name: string): string | null {
  try {
    return fs.readFileSync(`/proc/sys/${name}`, 'utf8').trim();
  } catch {
    return null;
  }
}

function machine(): Record<string, unknown> {
  let python = 'unknown';
  try {
    python = execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // leave unknown
  }
  let nofile = 'unknown';
  try {
    nofile = execFileSync('python3', ['-c', 'import resource; print(*resource.getrlimit(resource.RLIMIT_NOFILE))'], { encoding: 'utf8' }).trim();
  } catch {
    // leave unknown
  }
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()}`,
    platform: process.platform,
    kernel: os.release(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    python,
    node: process.version,
    date: new Date().toISOString(),
    limits: {
      openFilesSoftHard: nofile,
      threadsMax: readSys('kernel/threads-max'),
      pidMax: readSys('kernel/pid_max'),
      vmMaxMapCount: readSys('vm/max_map_count'),
      ephemeralPorts: readSys('net/ipv4/ip_local_port_range')?.replace(/\s+/, '-') ?? null,
    },
  };
}

async function measure(model: Model, connections: number): Promise<Point> {
  const run = new C10kRun({ model, connections, rate: 50_000, hold: 0 });
  try {
    const { pid } = await run.server(RUN_MS);
    await sleep(300); // started, not yet loaded: the launcher waits 1 s before the ramp
    // This sampler's kernel delta counts from its creation; its first sample reads everything.
    const base = createSampler(pid);
    let baseline: ResourceSample | null;
    let after: ResourceSample | null;
    try {
      baseline = await base.sample();
      if (!baseline || baseline.connections !== 0) throw new Error(`no clean baseline: ${JSON.stringify(baseline)}`);
      const kernelBefore = await kernelMedian(base, baseline);
      const want = fmt(connections);
      const m = await run.waitFor(new RegExp(`server: holding ${want} idle connections[^\\n]*\\n[\\s\\S]*?server: ramp ([\\d.]+) s`), RUN_MS);
      const c = await run.waitFor(new RegExp(`client: holding ${want} idle connections[^\\n]*\\(ramp ([\\d.]+) s\\)`), RUN_MS);
      await sleep(500);
      const fresh = createSampler(pid); // a fresh sampler reads PSS and the TCP table at once
      try {
        after = await fresh.sample();
      } finally {
        fresh.close();
      }
      if (!after) throw new Error('the server is gone');
      const kernelAfter = await kernelMedian(base, after);
      if (after.connections !== connections) throw new Error(`server holds ${after.connections}, not ${connections}`);
      const rss = after.rssBytes - baseline.rssBytes;
      const pss = after.pssBytes !== undefined && baseline.pssBytes !== undefined ? after.pssBytes - baseline.pssBytes : null;
      const k = kernelAfter - kernelBefore;
      return {
        model,
        connections,
        rampSeconds: Number(m[1]),
        clientRampSeconds: Number(c[1]),
        threads: after.threads,
        fds: after.fds,
        rssDeltaBytes: rss,
        pssDeltaBytes: pss,
        kernelDeltaBytes: k,
        perConnection: {
          rssKiB: round(rss / connections / KiB),
          pssKiB: pss === null ? null : round(pss / connections / KiB),
          kernelKiB: round(k / connections / KiB),
        },
      };
    } finally {
      base.close();
    }
  } finally {
    const pids = run.pids();
    run.terminate();
    const deadline = Date.now() + 3000;
    while (pids.some((p) => fs.existsSync(`/proc/${p}`) && !/\) Z /.test(safeStat(p))) && Date.now() < deadline) await sleep(50);
  }
}

/** The machine-wide kernel memory reading, median of three samples ~0.1 s apart (less noise). */
async function kernelMedian(sampler: ProcessSampler, first: ResourceSample): Promise<number> {
  const values = [first.kernelBytesDelta];
  for (let i = 0; i < 2; i++) {
    await sleep(100);
    const s = await sampler.sample();
    if (s) values.push(s.kernelBytesDelta);
  }
  return values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

function safeStat(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return ') Z ';
  }
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Memory added (MiB) against idle connections, one line per model; hand-written SVG. */
function chart(points: Point[], info: Record<string, unknown>): string {
  const W = 760;
  const H = 500;
  const L = 70;
  const R = 250;
  const T = 50;
  const B = 136;
  const pw = W - L - R;
  const ph = H - T - B;
  const maxX = Math.max(...LEVELS);
  const maxMiB = Math.max(1, ...points.map((p) => p.rssDeltaBytes / MiB));
  const step = maxMiB > 100 ? 50 : maxMiB > 40 ? 20 : maxMiB > 10 ? 5 : 1;
  const maxY = Math.ceil(maxMiB / step) * step;
  const x = (v: number): number => L + (v / maxX) * pw;
  const y = (v: number): number => T + ph - (v / maxY) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${L}" y="24" font-size="16" font-weight="bold">Memory for idle connections, by server model</text>`);
  out.push(`<text x="${L}" y="40" fill="#555">Server process RSS added since before load (the load generator is a separate process)</text>`);
  // grid and axes
  for (let v = 0; v <= maxY; v += step) {
    out.push(`<line x1="${L}" y1="${y(v)}" x2="${L + pw}" y2="${y(v)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${L - 8}" y="${y(v) + 4}" text-anchor="end">${v}</text>`);
  }
  for (let v = 0; v <= maxX; v += 2000) {
    out.push(`<line x1="${x(v)}" y1="${T + ph}" x2="${x(v)}" y2="${T + ph + 5}" stroke="#333"/>`);
    out.push(`<text x="${x(v)}" y="${T + ph + 20}" text-anchor="middle">${fmt(v)}</text>`);
  }
  out.push(`<line x1="${L}" y1="${T + ph}" x2="${L + pw}" y2="${T + ph}" stroke="#333"/>`);
  out.push(`<line x1="${L}" y1="${T}" x2="${L}" y2="${T + ph}" stroke="#333"/>`);
  out.push(`<text x="${L + pw / 2}" y="${T + ph + 40}" text-anchor="middle">idle connections held</text>`);
  out.push(`<text transform="translate(20 ${T + ph / 2}) rotate(-90)" text-anchor="middle">server RSS added (MiB)</text>`);
  // one line per model, with a legend on the right
  let ly = T + 10;
  for (const { model, label, color } of MODELS) {
    const ps = points.filter((p) => p.model === model).sort((a, b) => a.connections - b.connections);
    if (ps.length === 0) continue;
    const coords = [[0, 0] as const, ...ps.map((p) => [p.connections, p.rssDeltaBytes / MiB] as const)];
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2.5" points="${coords.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`).join(' ')}"/>`);
    for (const [a, b] of coords.slice(1)) out.push(`<circle cx="${x(a).toFixed(1)}" cy="${y(b).toFixed(1)}" r="3.5" fill="${color}"/>`);
    const top = ps[ps.length - 1]!;
    out.push(`<rect x="${L + pw + 20}" y="${ly - 9}" width="14" height="4" fill="${color}"/>`);
    out.push(`<text x="${L + pw + 40}" y="${ly - 3}" font-weight="bold">${escapeXml(label)}</text>`);
    const k = top.perConnection.kernelKiB;
    out.push(`<text x="${L + pw + 40}" y="${ly + 12}" fill="#333">${top.perConnection.rssKiB.toFixed(1)} KiB per connection (RSS)</text>`);
    out.push(`<text x="${L + pw + 40}" y="${ly + 26}" fill="#333">kernel* ${k < 0 ? '\u2212' : '+'}${Math.abs(k).toFixed(1)} KiB; ramp ${top.rampSeconds.toFixed(2)} s</text>`);
    ly += 56;
  }
  out.push(`<text x="${L + pw + 20}" y="${ly + 4}" fill="#555">at ${fmt(top10k(points))} connections</text>`);
  // notes
  const notes = [
    "A thread's 8 MiB stack is reserved address space, not memory: RSS counts only the pages a thread touches.",
    '* kernel: machine-wide Slab + KernelStack + PageTables added, per connection: both ends of each socket',
    "  (the load generator's too), kernel thread stacks and page tables, and whatever else the machine did",
    '  meanwhile: noisy on a busy machine (it can even come out negative).',
    `${info.os}, ${info.cpuModel}, ${info.cores} cores, ${info.memoryGiB} GiB, ${info.python}, ${String(info.date).slice(0, 10)}`,
  ];
  notes.forEach((t, i) => out.push(`<text x="${L}" y="${T + ph + 64 + i * 16}" fill="${i === 0 ? '#000' : '#555'}">${escapeXml(t)}</text>`));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function top10k(points: Point[]): number {
  return Math.max(...points.map((p) => p.connections));
}

async function main(): Promise<void> {
  if (process.platform !== 'linux') {
    console.error('c10k-memory: this benchmark reads /proc; run it on Linux.');
    process.exit(1);
  }
  const started = Date.now();
  const info = machine();
  console.log(`c10k-memory: ${MODELS.length} models x ${LEVELS.map(fmt).join(', ')} idle connections (${info.os}, ${info.cores} cores, ${info.python})`);
  const points: Point[] = [];
  const failures: string[] = [];
  for (const { model } of MODELS) {
    for (const n of LEVELS) {
      if (Date.now() - started > DEADLINE_MS) {
        failures.push(`${model} ${n}: skipped, past the ${DEADLINE_MS / 1000} s deadline`);
        console.log(`  ${model.padEnd(16)} ${fmt(n).padStart(6)}: skipped (deadline)`);
        continue;
      }
      process.stdout.write(`  ${model.padEnd(16)} ${fmt(n).padStart(6)}: `);
      try {
        const p = await measure(model, n);
        points.push(p);
        const pc = p.perConnection;
        console.log(
          `ramp ${p.rampSeconds.toFixed(2)} s, per connection: RSS ${pc.rssKiB.toFixed(1)} KiB, ` +
            `PSS ${pc.pssKiB === null ? '-' : pc.pssKiB.toFixed(1)} KiB, kernel ${pc.kernelKiB.toFixed(1)} KiB (${fmt(p.threads)} thread${p.threads === 1 ? '' : 's'})`,
        );
      } catch (e) {
        const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
        failures.push(`${model} ${n}: ${msg}`);
        console.log(`failed: ${msg}`);
      }
      await sleep(500);
    }
  }
  const result = {
    benchmark: 'c10k-memory',
    description:
      'Memory per idle TCP connection held by each server model of demos/c10k, server process only (RSS, PSS), ' +
      'and machine-wide kernel memory (Slab + KernelStack + PageTables) added, per connection. ' +
      "A thread's 8 MiB stack is reserved address space, not memory; RSS/PSS count only touched pages.",
    machine: info,
    method: {
      runs: 'a fresh launcher run (c10k.py) per model and level; ramp as fast as the server accepts (--rate 50000)',
      baseline: 'one sample of the server process ~0.3 s after it listens, before the load generator starts (1 s)',
      measurement: 'a fresh sampler 0.5 s after both sides report holding N; kernel delta since the baseline',
      rampSeconds: "the server's own figure: first to last accepted connection",
    },
    elapsedSeconds: round((Date.now() - started) / 1000, 1),
    points,
    failures,
  };
  fs.mkdirSync(path.dirname(jsonFile), { recursive: true });
  fs.writeFileSync(jsonFile, JSON.stringify(result, null, 2) + '\n');
  if (points.length) fs.writeFileSync(svgFile, chart(points, info));
  console.log(`wrote ${path.relative(process.cwd(), jsonFile)} and ${path.relative(process.cwd(), svgFile)} in ${result.elapsedSeconds} s`);
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
