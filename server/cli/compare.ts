// `compare <demo> [variantA variantB]`: runs two variants in turn, each for a bounded time or
// until its demo's point is made, then prints them side by side.
import { parseDemoArgs, printDemoHelp } from './demo-args.js';
import { abortCode, planOrThrow, runInTerminal, sayOnStderr, warnNpmBanner, POINT_SETTLE_SECONDS } from './run.js';
import { startDemoInstance } from './instance-start.js';
import { compareTable } from './summary-table.js';
import { UsageError } from './usage-error.js';
import type { CliContext } from './command.js';
import type { RunSummary } from '../run/run-summary.js';

export const COMPARE_HELP = `Usage: what-is-async compare <demo> [variantA variantB] [--param value …] [options]

Runs two variants of a demo one after the other (by default its first two), with the same
parameters, then prints peak memory, memory per connection, threads, open files, CPU and
elapsed time side by side.

Each variant runs until it ends by itself, until its demo's last step shows that its point
is made (and ${POINT_SETTLE_SECONDS} s more, for the meters), or for at most --max-seconds (by default the
demo's recording length), whichever comes first. Ctrl-C moves on to the next variant at once.

Options:
  --json            one JSON metrics object a line (each with its variant), then a
                    comparison object; the demos' output goes to stderr
  --max-seconds N   run each variant at most N seconds
  --sample-hz N     meter samples per second (default 4)
  -h, --help        show this help
`;

export async function compare(args: string[], ctx: CliContext): Promise<number> {
  const a = await parseDemoArgs(args, ctx, 'compare', 2);
  if (a.help) {
    process.stdout.write(COMPARE_HELP);
    printDemoHelp(a.demo);
    return 0;
  }
  const m = a.demo.manifest;
  const all = Object.keys(m.variants);
  if (all.length < 2) throw new UsageError(`demo "${m.id}" has only one variant (${all.join(', ')}); compare needs two`);
  if (a.variants.length === 2 && a.variants[0] === a.variants[1]) {
    throw new UsageError(`compare needs two different variants; got "${a.variants[0]}" twice. Demo "${m.id}" has: ${all.join(', ')}`);
  }
  const variants = a.variants.length === 2 ? a.variants : a.variants.length === 1 ? [a.variants[0]!, all.find((v) => v !== a.variants[0])!] : all.slice(0, 2);
  warnNpmBanner(a.json);
  const plans = await Promise.all(variants.map((v) => planOrThrow(a.registry, m.id, v, a.params))); // every mistake before anything runs
  await startDemoInstance('compare', sayOnStderr);
  const bound = a.maxSeconds ?? m.recording.maxSeconds;
  const summaries: RunSummary[] = [];
  for (const [i, plan] of plans.entries()) {
    const next = i < plans.length - 1 ? `Ctrl-C: on to ${plans[i + 1]!.variant}` : 'Ctrl-C: finish';
    const { summary, aborted } = await runInTerminal(plan, {
      json: a.json,
      sampleHz: a.sampleHz,
      label: `${plan.variant} (${i + 1} of ${plans.length})`,
      title: `━━ ${m.id} · ${plan.variant} (${i + 1} of ${plans.length}): up to ${bound} s${m.steps.length ? ', or until its point is made' : ''} · ${next} ━━`,
      ctrlC: next,
      maxSeconds: bound,
      untilPointMade: true,
    });
    summaries.push(summary);
    if (aborted) return abortCode(aborted);
  }
  const [x, y] = summaries as [RunSummary, RunSummary];
  if (a.json) process.stdout.write(JSON.stringify({ type: 'compare', a: x, b: y }) + '\n');
  else process.stdout.write(`\n${compareTable(x, y)}\n`);
  return 0;
}
