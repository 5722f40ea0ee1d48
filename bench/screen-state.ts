/**
 * What does the server's screen state cost? Run: npx tsx bench/screen-state.ts  (~1 min)
 *
 * Every run the demo server starts keeps a headless xterm.js terminal that parses the run's
 * output (server/run/screen-state.ts), so a page joining mid-run gets the current screen.
 * Measured here:
 *   parser     ScreenState alone, fed 32 MB in 64 KB chunks: CPU ms per MB of output, for
 *              plain lines (a flood like `yes`) and for coloured, bold lines; median of 5.
 *   flood      a real DemoRun of tests/fixtures/demos/flood (Python writing as fast as it
 *              can) with a pace-setter that acknowledges at once, with and without the
 *              screen state, interleaved rounds of 48 MB: this process's CPU per MB and MB/s,
 *              and their ratios with/without, side by side in one run.
 *   memory     heap held per run: 8 screen states, each after 16 MB of flood (1,000 lines of
 *              scrollback), measured after garbage collection.
 * Writes bench/results/screen-state.json. Bounded: fixed byte counts and a 120 s deadline
 * per flood round; every run is stopped (its process tree ended) before the next.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { DemoRun } from '../server/run/demo-run.js';
import { ScreenState } from '../server/run/screen-state.js';
import { findPython } from '../server/registry/python.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const resultsFile = path.join(here, 'results', 'screen-state.json');
const MB = 1e6;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const PLAIN = Buffer.from(('y'.repeat(79) + '\r\n').repeat(800)); // 64 KB, like flood.py's lines
const COLOURED = Buffer.from(
  Array.from({ length: 700 }, (_, i) => `\x1b[3${i % 8}mline ${String(i).padStart(4)}\x1b[0m \x1b[1mbold\x1b[0m ${'x'.repeat(60)}\r\n`).join(''),
);

async function parserCost(chunk: Buffer, mb: number): Promise<number> {
  const s = new ScreenState(80, 24);
  const n = Math.ceil((mb * MB) / chunk.byteLength);
  const c0 = cpuMs();
  for (let i = 0; i < n; i++) s.write(chunk);
  await new Promise<void>((r) => s.whenParsed(r));
  const cpu = cpuMs() - c0;
  s.dispose();
  return cpu / ((n * chunk.byteLength) / MB);
}

async function floodRound(withScreen: boolean, bytes: number): Promise<{ cpuMsPerMB: number; mbPerSecond: number }> {
  const py = findPython();
  if (!py.ok) throw new Error(py.message);
  const dir = path.join(root, 'tests/fixtures/demos/flood');
  const run = new DemoRun({
    plan: { demo: 'flood', variant: 'python', argv: [py.path, 'flood.py'], cwd: dir, env: { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8', PYTHONUNBUFFERED: '1' }, params: {}, timeLimitSeconds: 120 },
    cols: 80,
    rows: 24,
    sampleHz: 0,
    ...(withScreen ? { screen: (cols: number, rows: number, onBacklog: (b: boolean) => void) => new ScreenState(cols, rows, onBacklog) } : {}),
  });
  let got = 0;
  let t0 = 0;
  let c0 = 0;
  let result: { cpuMsPerMB: number; mbPerSecond: number } | undefined;
  const done = new Promise<void>((resolve) => {
    const self = run.subscribe((e) => {
      if (e.type !== 'output') return;
      if (got === 0) {
        t0 = performance.now();
        c0 = cpuMs();
      }
      got += e.bytes.byteLength;
      self.ack(e.bytes.byteLength);
      if (got >= bytes && !result) {
        const wall = performance.now() - t0;
        result = { cpuMsPerMB: (cpuMs() - c0) / (got / MB), mbPerSecond: got / MB / (wall / 1000) };
        resolve();
      }
    }, { role: 'pace-setter' });
  });
  const deadline = setTimeout(() => void run.stop(), 120_000);
  await Promise.race([done, run.done]);
  clearTimeout(deadline);
  await run.stop();
  if (!result) throw new Error(`the flood ended after ${got} bytes`);
  return result;
}

async function heapPerRun(runs: number, mb: number): Promise<number> {
  gc();
  const before = process.memoryUsage().heapUsed;
  const screens: ScreenState[] = [];
  for (let i = 0; i < runs; i++) {
    const s = new ScreenState(80, 24);
    for (let n = 0; n < (mb * MB) / PLAIN.byteLength; n++) s.write(PLAIN);
    await new Promise<void>((r) => s.whenParsed(r));
    screens.push(s);
  }
  gc();
  const held = process.memoryUsage().heapUsed - before;
  for (const s of screens) s.dispose();
  return held / runs;
}

const parser = { plain: [] as number[], coloured: [] as number[] };
await parserCost(PLAIN, 8); // warm-up: JIT
for (let i = 0; i < 5; i++) {
  parser.plain.push(await parserCost(PLAIN, 32));
  parser.coloured.push(await parserCost(COLOURED, 32));
}
const flood = { with: [] as { cpuMsPerMB: number; mbPerSecond: number }[], without: [] as { cpuMsPerMB: number; mbPerSecond: number }[] };
for (let i = 0; i < 3; i++) {
  flood.without.push(await floodRound(false, 48 * MB));
  flood.with.push(await floodRound(true, 48 * MB));
}
const heap = await heapPerRun(8, 16);

const med = (xs: { cpuMsPerMB: number; mbPerSecond: number }[]) => ({ cpuMsPerMB: round(median(xs.map((x) => x.cpuMsPerMB))), mbPerSecond: round(median(xs.map((x) => x.mbPerSecond))) });
const withScreen = med(flood.with);
const withoutScreen = med(flood.without);
const results = {
  benchmark: 'screen state cost (server/run/screen-state.ts)',
  method:
    'parser: ScreenState fed 32 MB in 64 KB chunks, CPU of this process (process.cpuUsage) per MB, median of 5 after an 8 MB warm-up. flood: DemoRun of the flood fixture, pace-setter acknowledging at once, 48 MB per round, 3 interleaved rounds each with and without the screen state; CPU of this process per MB and MB/s, medians. memory: heap used after gc, 8 screen states each after 16 MB, per state.',
  machine: {
    os: `${os.type()} ${os.release()} (${process.platform}/${process.arch})`,
    cpuModel: os.cpus()[0]?.model.trim(),
    cores: os.cpus().length,
    node: process.version,
    date: new Date().toISOString(),
    loadAverage: os.loadavg().map((x) => round(x, 2)),
  },
  parser: {
    plainLinesCpuMsPerMB: round(median(parser.plain)),
    colouredLinesCpuMsPerMB: round(median(parser.coloured)),
    plainLinesMBPerCpuSecond: round(1000 / median(parser.plain)),
  },
  flood: {
    withScreen,
    withoutScreen,
    cpuPerMBRatio: round(withScreen.cpuMsPerMB / withoutScreen.cpuMsPerMB, 2),
    throughputRatio: round(withScreen.mbPerSecond / withoutScreen.mbPerSecond, 2),
    rounds: flood,
  },
  memory: { heapBytesPerRun: Math.round(heap), scrollbackLines: 1000, cols: 80 },
};
fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');
console.log(
  `screen state: ${results.parser.plainLinesCpuMsPerMB} ms CPU per MB of plain lines (${results.parser.plainLinesMBPerCpuSecond} MB per CPU second), ` +
    `${results.parser.colouredLinesCpuMsPerMB} ms per MB of coloured lines\n` +
    `flood through a DemoRun: ${withScreen.cpuMsPerMB} ms CPU/MB and ${withScreen.mbPerSecond} MB/s with it, ` +
    `${withoutScreen.cpuMsPerMB} ms/MB and ${withoutScreen.mbPerSecond} MB/s without (CPU ×${results.flood.cpuPerMBRatio}, throughput ×${results.flood.throughputRatio})\n` +
    `memory: ${(heap / 1024 / 1024).toFixed(2)} MiB of heap per run's screen (80 × 24, 1,000 lines of scrollback)\n` +
    `written to ${path.relative(root, resultsFile)}`,
);
