// `compare <demo> [variantA variantB]`: runs two variants in turn, then prints them side by side.
import type { Registry } from '../registry/registry.js';
import { parseDemoArgs } from './demo-args.js';
import { planOrThrow, runInTerminal } from './run.js';
import { compareTable } from './summary-table.js';
import { UsageError } from './usage-error.js';

export const COMPARE_HELP = `Usage: what-is-async compare <demo> [variantA variantB] [--param value …] [options]

Runs two variants of a demo one after the other (by default its first two), with the same
parameters, then prints peak memory, memory per connection, threads, open files, CPU and
elapsed time side by side.

Options:
  --json          one JSON metrics object a line (each with its variant), then a
                  comparison object; the demos' output goes to stderr
  --sample-hz N   meter samples per second (default 4)
  -h, --help      show this help
`;

export async function compareCommand(args: string[], registry: Registry): Promise<number> {
  const a = parseDemoArgs(registry, args, 'compare', 2);
  if (a.help) {
    process.stdout.write(COMPARE_HELP);
    return 0;
  }
  const all = Object.keys(a.demo.manifest.variants);
  const variants = a.variants.length === 2 ? a.variants : a.variants.length === 1 ? [a.variants[0]!, all.find((v) => v !== a.variants[0])] : all.slice(0, 2);
  if (variants.length < 2 || !variants[1]) {
    throw new UsageError(`demo "${a.demo.manifest.id}" has only one variant (${all.join(', ')}); compare needs two`);
  }
  const summaries = [];
  for (const variant of variants as string[]) {
    const plan = planOrThrow(registry, a.demo.manifest.id, variant, a.params);
    if (!a.json) process.stdout.write(`\n━━ ${plan.demo} · ${variant} ━━\n`);
    const s = await runInTerminal(plan, { json: a.json, sampleHz: a.sampleHz });
    summaries.push(s);
    if (s.exit.reason === 'stopped') break; // Ctrl-C stops the whole comparison
  }
  const [x, y] = summaries;
  if (!x || !y) return 130;
  if (a.json) process.stdout.write(JSON.stringify({ type: 'compare', a: x, b: y }) + '\n');
  else process.stdout.write(`\n${compareTable(x, y)}\n`);
  return 0;
}
