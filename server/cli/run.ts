// `run <demo> [variant]`: the demo in this terminal, a live one-line meter of its process
// under test, and a summary table when it ends. Ctrl-C stops everything it started.
import type { Registry } from '../registry/registry.js';
import { planLaunch, type LaunchPlan } from '../session/demo-launcher.js';
import { paramsFromText } from '../registry/params.js';
import { runLocal } from './local-run.js';
import { parseDemoArgs } from './demo-args.js';
import { StatusLine, meterText } from './status-line.js';
import { summaryTable } from './summary-table.js';
import type { RunSummary } from './run-summary.js';
import { UsageError } from './usage-error.js';

export const RUN_HELP = `Usage: what-is-async run <demo> [variant] [--param value …] [options]

Runs a demo in this terminal with a live resource meter of its process under test,
then prints a summary. Ctrl-C stops it and every process it started.
"what-is-async list" shows the demos, their variants and parameters.

Options:
  --json          print one JSON metrics object a line on stdout (the demo's own output
                  goes to stderr), then a summary object
  --sample-hz N   meter samples per second (default 4)
  -h, --help      show this help
`;

export function planOrThrow(registry: Registry, demo: string, variant: string | undefined, params: Record<string, string>): LaunchPlan {
  const m = registry.get(demo)?.manifest;
  const launch = planLaunch(registry, { demo, variant, params: m ? paramsFromText(m, params) : params });
  if (!launch.ok) throw new UsageError(launch.message);
  return launch.plan;
}

export interface RunIo {
  json: boolean;
  sampleHz: number;
  label?: string;
}

/** Runs one variant in the foreground terminal; resolves with its summary. */
export async function runInTerminal(plan: LaunchPlan, io: RunIo): Promise<RunSummary> {
  const out = process.stdout;
  const tty = out.isTTY && !io.json;
  const rows = out.rows || 24;
  const cols = out.columns || 80;
  const status = tty ? new StatusLine(out, rows, cols) : undefined;
  const demoOut = io.json ? process.stderr : out;
  const label = io.label ?? `${plan.demo} · ${plan.variant}`;
  const t0 = Date.now();

  const run = runLocal({
    plan,
    cols,
    rows: tty ? rows - 1 : rows,
    sampleHz: io.sampleHz,
    onOutput: (bytes, done) => {
      demoOut.write(bytes, () => done());
    },
    onMetrics: (m) => {
      if (io.json) out.write(JSON.stringify({ type: 'metrics', demo: plan.demo, variant: plan.variant, perConnectionBytes: m.perConnectionBytes, ...m.sample }) + '\n');
      else status?.draw(meterText(label, m, (Date.now() - t0) / 1000));
    },
  });

  // Keys go to the demo; Ctrl-C reaches it through its terminal like any program's.
  const stdin = process.stdin;
  const onKey = (data: Buffer) => {
    run.session.write(data);
    if (data.includes(0x03)) setTimeout(() => void run.stop(), 1000).unref();
  };
  const onResize = () => {
    status?.resize(out.rows, out.columns);
    run.session.resize(out.columns, tty ? out.rows - 1 : out.rows);
  };
  const onSignal = () => void run.stop();
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    stdin.on('data', onKey);
    stdin.resume();
  }
  out.on('resize', onResize);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    return await run.finished;
  } finally {
    status?.close();
    if (stdin.isTTY) {
      stdin.off('data', onKey);
      stdin.setRawMode(false);
      stdin.pause();
    }
    out.off('resize', onResize);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}

export async function runCommand(args: string[], registry: Registry): Promise<number> {
  const a = parseDemoArgs(registry, args, 'run', 1);
  if (a.help) {
    process.stdout.write(RUN_HELP);
    return 0;
  }
  const plan = planOrThrow(registry, a.demo.manifest.id, a.variants[0], a.params);
  const summary = await runInTerminal(plan, { json: a.json, sampleHz: a.sampleHz });
  if (a.json) process.stdout.write(JSON.stringify({ type: 'summary', ...summary }) + '\n');
  else process.stdout.write(`\n${summaryTable(summary)}\n`);
  if (summary.exit.reason === 'stopped') return 130;
  return summary.exit.code ?? 1;
}
