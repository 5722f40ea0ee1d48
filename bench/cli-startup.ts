/**
 * How fast does the CLI start? Run: npm run bench -- cli-startup  (~30 s)
 *
 * Runs each command as a user does (node bin/what-is-async.js …, output to a pipe) and times,
 * from spawn, its first byte on stdout and its exit. Node's own start-up is the yardstick:
 * `node -e "process.stdout.write('x')"` runs in the same rounds, interleaved with the
 * commands, so a busy machine slows both alike; the figures that matter are the ratios.
 * The goal: every command's first output within 0.3 s on this machine.
 *
 * `--bin path/to/what-is-async.js` times another checkout's command (e.g. an older one) the
 * same way, for a before/after comparison. Writes bench/results/cli-startup.json.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROUNDS = 15;
const TIMEOUT_MS = 20_000;
const here = path.dirname(fileURLToPath(import.meta.url));
const resultsFile = path.join(here, 'results', 'cli-startup.json');

const { values } = parseArgs({ options: { bin: { type: 'string' }, rounds: { type: 'string' } } });
const bin = path.resolve(values.bin ?? path.join(here, '..', 'bin', 'what-is-async.js'));
const rounds = values.rounds ? Number(values.rounds) : ROUNDS;

const CASES: { name: string; argv: string[] }[] = [
  { name: 'node (baseline)', argv: ['-e', "process.stdout.write('x')"] },
  { name: '--help', argv: [bin, '--help'] },
  { name: 'list', argv: [bin, 'list'] },
  { name: 'list --json', argv: [bin, 'list', '--json'] },
  { name: 'run --help', argv: [bin, 'run', '--help'] },
  { name: 'compare --help', argv: [bin, 'compare', '--help'] },
  { name: 'serve --help', argv: [bin, 'serve', '--help'] },
  { name: 'doctor --help', argv: [bin, 'doctor', '--help'] },
];

interface Timing {
  firstOutputMs: number;
  exitMs: number;
}

function time(argv: string[]): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
    const child = spawn(process.execPath, argv, { cwd: path.dirname(path.dirname(bin)), stdio: ['ignore', 'pipe', 'pipe'] });
    let first: number | undefined;
    let err = '';
    child.stdout.once('data', () => (first = ms()));
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const exitMs = ms();
      if (code !== 0 || first === undefined) reject(new Error(`${argv.join(' ')} exited ${code}: ${err}`));
      else resolve({ firstOutputMs: first, exitMs });
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

// One warm-up round (file cache, a first build if the sources changed), not counted.
for (const c of CASES) await time(c.argv);
const samples = new Map<string, Timing[]>(CASES.map((c) => [c.name, []]));
for (let r = 0; r < rounds; r++) {
  for (const c of CASES) samples.get(c.name)!.push(await time(c.argv));
}

const base = median(samples.get(CASES[0]!.name)!.map((t) => t.firstOutputMs));
const rows = CASES.map((c) => {
  const ts = samples.get(c.name)!;
  const first = median(ts.map((t) => t.firstOutputMs));
  const exit = median(ts.map((t) => t.exitMs));
  return { command: c.name, firstOutputMs: round(first), exitMs: round(exit), ratioToNode: round(first / base, 2), underGoal: first < 300 };
});

console.log(`median of ${rounds} interleaved runs; ratio = first output ÷ node's own (${round(base)} ms)\n`);
console.log(`${'command'.padEnd(18)}${'first output'.padStart(14)}${'exit'.padStart(10)}${'× node'.padStart(9)}`);
for (const r of rows) console.log(`${r.command.padEnd(18)}${`${r.firstOutputMs} ms`.padStart(14)}${`${r.exitMs} ms`.padStart(10)}${`${r.ratioToNode}×`.padStart(9)}`);

const out = {
  benchmark: 'CLI start-up: time from spawn to first stdout byte, and to exit',
  method: `node ${path.relative(process.cwd(), bin)} <command>, stdout to a pipe; ${rounds} rounds after one warm-up, every case once per round (interleaved); medians. ratioToNode = firstOutputMs ÷ the same figure for node -e "process.stdout.write('x')" in the same rounds. Goal: firstOutputMs < 300.`,
  bin: path.relative(path.join(here, '..'), bin) || bin,
  machine: {
    os: `${os.type()} ${os.release()} (${process.platform}/${process.arch})`,
    cpuModel: os.cpus()[0]?.model.replace(/\s+\d+-Core Processor$/, '').trim(),
    cores: os.cpus().length,
    node: process.version,
    loadAverage: os.loadavg().map((x) => round(x, 2)),
    date: new Date().toISOString(),
  },
  nodeBaselineMs: round(base),
  commands: rows,
};
if (!values.bin) {
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, JSON.stringify(out, null, 2) + '\n');
  console.log(`\nwrote ${path.relative(process.cwd(), resultsFile)}`);
} else {
  console.log(`\n(--bin given: results not written)\n${JSON.stringify(out.machine)}`);
}
