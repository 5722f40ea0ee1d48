// `run <demo> [variant]`: the demo in this terminal, a live one-line meter of its process
// under test, and a summary table when it ends. Ctrl-C stops everything it started.
import type { Registry } from '../registry/registry.js';
import type { LaunchPlan } from '../session/demo-launcher.js';
import type { ParamValue } from '../registry/manifest.js';
import { parseDemoArgs, printDemoHelp } from './demo-args.js';
import { StatusLine, meterText } from './status-line.js';
import { summaryTable } from './summary-table.js';
import type { RunSummary, StopCause } from '../run/run-summary.js';
import { UsageError } from './usage-error.js';
import { startDemoInstance } from './instance-start.js';
import type { CliContext } from './command.js';

export const RUN_HELP = `Usage: what-is-async run <demo> [variant] [--param value …] [options]

Runs a demo in this terminal with a live resource meter of its process under test,
then prints a summary. Ctrl-C stops it and every process it started.
"what-is-async list" shows the demos, their variants and parameters; "run <demo> --help"
shows one demo's.

Options:
  --json            print one JSON metrics object a line on stdout (the demo's own output
                    goes to stderr), then a summary object
  --max-seconds N   stop the demo after N seconds
  --sample-hz N     meter samples per second (default 4)
  -h, --help        show this help
`;

/** How long a demo runs on after its last step, so the meters show the state it reached. */
export const POINT_SETTLE_SECONDS = 3;

/** Signals that end everything at once: the terminal closed, or something asked us to stop. */
const ABORT_SIGNALS = { SIGTERM: 15, SIGHUP: 1 } as const;
type AbortSignal = keyof typeof ABORT_SIGNALS;

export async function planOrThrow(registry: Registry, demo: string, variant: string | undefined, params: Record<string, ParamValue>): Promise<LaunchPlan> {
  // Loaded here, not at the top: `--help` and a mistake in the call need none of it.
  const { planLaunch } = await import('../session/demo-launcher.js');
  const launch = planLaunch(registry, { demo, variant, params });
  if (!launch.ok) throw new UsageError(launch.message);
  return launch.plan;
}

export interface RunIo {
  json: boolean;
  sampleHz: number;
  /** Names the run on the meter row. */
  label?: string;
  /** A line printed above the demo's output (with it on stderr under --json). */
  title?: string;
  /** What Ctrl-C does now, shown at the meter row's right end. */
  ctrlC?: string;
  /** Stop after this many seconds. */
  maxSeconds?: number | undefined;
  /** Stop a few seconds after the last of the demo's steps shows in its output: the point is made. */
  untilPointMade?: boolean;
}

export interface TerminalRun {
  summary: RunSummary;
  /** Set when a signal asked to stop everything, not only this run. */
  aborted?: AbortSignal;
}

/** Runs one variant in the foreground terminal; resolves with its summary. */
export async function runInTerminal(plan: LaunchPlan, io: RunIo): Promise<TerminalRun> {
  const out = process.stdout;
  const tty = out.isTTY && !io.json;
  const rows = out.rows || 24;
  const cols = out.columns || 80;
  const status = tty ? new StatusLine(out, rows, cols) : undefined;
  const demoOut = io.json ? process.stderr : out;
  const label = io.label ?? `${plan.demo} · ${plan.variant}`;
  const t0 = Date.now();
  let stoppedBy: StopCause | undefined;
  let aborted: AbortSignal | undefined;
  let hint = io.ctrlC ?? 'Ctrl-C stops';
  let last: Parameters<typeof meterText>[1] | undefined;
  const redraw = () => last && status?.draw(meterText(label, last, (Date.now() - t0) / 1000, io.maxSeconds), hint);

  if (io.title) demoOut.write(tty ? `\x1b[1m${io.title}\x1b[0m\r\n` : `${io.title}\n`);
  const timers: NodeJS.Timeout[] = [];

  const { runLocal } = await import('./local-run.js');
  const run = runLocal({
    plan,
    cols,
    rows: tty ? rows - 1 : rows,
    sampleHz: io.sampleHz,
    onOutput: (bytes, done) => {
      demoOut.write(bytes, () => done());
      status?.demoWrote(bytes);
    },
    onMarker: (m) => {
      if (!io.untilPointMade || !m.last) return;
      hint = `point made; moving on in ${POINT_SETTLE_SECONDS} s`;
      redraw();
      timers.push(setTimeout(() => stop('point-made'), POINT_SETTLE_SECONDS * 1000));
    },
    onMetrics: (m) => {
      if (io.json) out.write(JSON.stringify({ type: 'metrics', demo: plan.demo, variant: plan.variant, perConnectionBytes: m.perConnectionBytes, ...m.sample }) + '\n');
      last = m;
      redraw();
    },
  });

  /** Ends the run politely, as Ctrl-C would; a second Ctrl-C ends it at once. */
  function stop(cause: StopCause): void {
    if (stoppedBy) {
      if (cause === 'ctrl-c') void run.stop();
      return;
    }
    stoppedBy = cause;
    hint = 'stopping…';
    redraw();
    void run.interrupt();
  }
  if (io.maxSeconds !== undefined) timers.push(setTimeout(() => stop('max-seconds'), io.maxSeconds * 1000));

  // Keys go to the demo, except Ctrl-C: that stops it, through its terminal like any program's.
  const stdin = process.stdin;
  const onKey = (data: Buffer) => {
    if (data.includes(0x03)) stop('ctrl-c');
    else run.run.write(data);
  };
  const onResize = () => {
    status?.resize(out.rows, out.columns);
    run.run.resize(out.columns, tty ? out.rows - 1 : out.rows);
  };
  const onInterrupt = () => stop('ctrl-c');
  const onAbort = (signal: AbortSignal) => {
    aborted = signal;
    stoppedBy ??= 'signal';
    void run.stop();
  };
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    stdin.on('data', onKey);
    stdin.resume();
  }
  out.on('resize', onResize);
  process.on('SIGINT', onInterrupt);
  for (const s of Object.keys(ABORT_SIGNALS) as AbortSignal[]) process.on(s, onAbort);
  try {
    const summary = await run.finished;
    return { summary: stoppedBy ? { ...summary, stoppedBy } : summary, ...(aborted ? { aborted } : {}) };
  } finally {
    timers.forEach(clearTimeout);
    status?.close();
    if (stdin.isTTY) {
      stdin.off('data', onKey);
      stdin.setRawMode(false);
      stdin.pause();
    }
    out.off('resize', onResize);
    process.off('SIGINT', onInterrupt);
    for (const s of Object.keys(ABORT_SIGNALS) as AbortSignal[]) process.off(s, onAbort);
  }
}

/** What the leftover sweep says before a run: on stderr, where it stays out of --json's way. */
export const sayOnStderr = (line: string) => process.stderr.write(`${line}\n`);

/** The exit code of a signal that stopped everything: 128 + its number, as shells report it. */
export const abortCode = (signal: AbortSignal) => 128 + ABORT_SIGNALS[signal];

/** With --json under `npm run` (not -s), npm's own banner went to stdout first: say how to avoid it. */
export function warnNpmBanner(json: boolean): void {
  if (json && process.env.npm_lifecycle_event && process.env.npm_config_loglevel !== 'silent' && !process.stdout.isTTY) {
    process.stderr.write(`what-is-async: npm printed its banner on stdout ahead of the JSON; for JSON alone use "npm run -s ${process.env.npm_lifecycle_event} -- …" or "npx what-is-async …"\n`);
  }
}

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const a = await parseDemoArgs(args, ctx, 'run', 1);
  if (a.help) {
    process.stdout.write(RUN_HELP);
    printDemoHelp(a.demo);
    return 0;
  }
  warnNpmBanner(a.json);
  const plan = await planOrThrow(a.registry, a.demo.manifest.id, a.variants[0], a.params);
  await startDemoInstance('run', sayOnStderr);
  const { summary, aborted } = await runInTerminal(plan, { json: a.json, sampleHz: a.sampleHz, maxSeconds: a.maxSeconds });
  if (a.json) process.stdout.write(JSON.stringify({ type: 'summary', ...summary }) + '\n');
  else process.stdout.write(`\n${summaryTable(summary)}\n`);
  if (aborted) return abortCode(aborted);
  if (summary.stoppedBy === 'ctrl-c') return 130;
  if (summary.exit.reason !== 'exited') return summary.stoppedBy === 'max-seconds' ? 0 : 1;
  return summary.exit.code ?? 1;
}
