// `list`: every demo, its variants, and its parameters with their bounds and defaults.
import type { Registry } from '../registry/registry.js';
import type { ParamSpec } from '../registry/manifest.js';

export const LIST_HELP = `Usage: what-is-async list [--json]

Lists the demos, their variants, and their parameters with bounds and defaults.
`;

function describeParam(name: string, p: ParamSpec): string {
  const range = p.type === 'integer' || p.type === 'number' ? `${p.min}..${p.max}` : p.type === 'choice' ? p.choices.join('|') : 'true|false';
  return `--${name} <${range}>  ${p.description} (default ${p.default})`;
}

export function listCommand(args: string[], registry: Registry): number {
  if (args.includes('-h') || args.includes('--help')) {
    process.stdout.write(LIST_HELP);
    return 0;
  }
  if (args.includes('--json')) {
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
    for (const [name, p] of Object.entries(m.params)) lines.push(`  ${describeParam(name, p)}`);
    lines.push('');
  }
  lines.push(`Run one:  what-is-async run <demo> [variant] [--param value …]`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
