// `list`: every demo, its variants, and its parameters with their bounds and defaults.
import { parseCommandArgs } from './args.js';
import { describeParams } from './demo-args.js';
import type { CliContext } from './command.js';

export const LIST_HELP = `Usage: what-is-async list [--json]

Lists the demos, their variants, and their parameters with bounds and defaults.

Options:
  --json      the same as one JSON document
  -h, --help  show this help
`;

export async function list(args: string[], ctx: CliContext): Promise<number> {
  const a = parseCommandArgs(args, { command: 'list', options: { json: { type: 'boolean' } } });
  if (a.help) {
    process.stdout.write(LIST_HELP);
    return 0;
  }
  const registry = await ctx.registry();
  if (a.values.json) {
    const demos = [...registry.values()].map(({ manifest: m }) => ({
      id: m.id,
      title: m.title,
      point: m.point,
      variants: Object.entries(m.variants).map(([id, v]) => ({ id, title: v.title })),
      params: m.params,
      timeLimitSeconds: m.timeLimitSeconds,
    }));
    process.stdout.write(JSON.stringify(demos, null, 2) + '\n');
    return 0;
  }
  const lines: string[] = [];
  for (const { manifest: m } of registry.values()) {
    lines.push(`${m.id} — ${m.title}`);
    lines.push(`  ${m.point}`);
    const def = m.defaultVariant ?? Object.keys(m.variants)[0];
    for (const [id, v] of Object.entries(m.variants)) lines.push(`  variant ${id}${id === def ? ' (default)' : ''}: ${v.title}`);
    for (const line of describeParams(m)) lines.push(`  ${line}`);
    lines.push('');
  }
  lines.push(`Run one:  what-is-async run <demo> [variant] [--param value …]`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
