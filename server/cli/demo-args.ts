// Parses `<demo> [variant…] [--param value …] [options]` for run and compare against the
// registry, naming the valid choices whenever something is off. A parameter may be written
// in the kebab-case its Python sample prints (--max-threads) or as declared (--maxThreads);
// values are parsed strictly here, so the launcher gets numbers, not text.
import { parseArgs } from 'node:util';
import type { Registry, Demo } from '../registry/registry.js';
import type { Manifest, ParamSpec, ParamValue } from '../registry/manifest.js';
import { parseCommandArgs, parseDecimal, parseInteger, optionNames, sampleHzOf, SAMPLE_HZ, type OptionSpec } from './args.js';
import { UsageError } from './usage-error.js';
import type { CliContext } from './command.js';

export interface DemoArgs {
  registry: Registry;
  demo: Demo;
  variants: string[];
  params: Record<string, ParamValue>;
  json: boolean;
  sampleHz: number;
  /** --max-seconds: stop each variant after this long. */
  maxSeconds: number | undefined;
}

export type ParsedDemoArgs = ({ help: false } & DemoArgs) | { help: true; demo: Demo | undefined };

/** The options run and compare take besides the demo's parameters. */
export const DEMO_COMMAND_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean' },
  ...SAMPLE_HZ,
  'max-seconds': { type: 'string' },
};

export const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

interface ParamOption {
  param: string;
  spec: ParamSpec;
  /** --no-<flag>: a boolean parameter set to false. */
  negated: boolean;
}

/** Every spelling of every parameter of a demo, as options. */
function paramOptions(m: Manifest): Map<string, ParamOption> {
  const out = new Map<string, ParamOption>();
  for (const [param, spec] of Object.entries(m.params)) {
    for (const name of new Set([kebab(param), param])) {
      out.set(name, { param, spec, negated: false });
      if (spec.type === 'boolean') out.set(`no-${name}`, { param, spec, negated: true });
    }
  }
  return out;
}

function asOptions(params: Map<string, ParamOption>): Record<string, OptionSpec> {
  return Object.fromEntries([...params].map(([name, p]) => [name, { type: p.spec.type === 'boolean' ? 'boolean' : 'string' }]));
}

/** "--count, --delay": a demo's parameters as the CLI spells them. */
export function paramNames(m: Manifest): string {
  return Object.keys(m.params)
    .map((p) => `--${kebab(p)}`)
    .join(', ');
}

/** One line per parameter: its spelling, bounds or choices, meaning and default. */
export function describeParams(m: Manifest): string[] {
  return Object.entries(m.params).map(([name, p]) => {
    const flag = `--${kebab(name)}`;
    const usage =
      p.type === 'boolean' ? `${flag} | --no-${kebab(name)}` : `${flag} <${p.type === 'choice' ? p.choices.join('|') : `${p.min}..${p.max}`}>`;
    return `${usage}  ${p.description} (default ${p.default})`;
  });
}

export function pickDemo(registry: Registry, id: string | undefined, command: string): Demo {
  if (!id) throw new UsageError(`${command} needs a demo; demos: ${[...registry.keys()].join(', ')}`);
  const demo = registry.get(id);
  if (!demo) throw new UsageError(`unknown demo "${id}"; demos: ${[...registry.keys()].join(', ')}`);
  return demo;
}

function paramValue(flag: string, spec: ParamSpec, text: string): ParamValue {
  switch (spec.type) {
    case 'integer':
      return parseInteger(text, flag, spec);
    case 'number':
      return parseDecimal(text, flag, spec);
    case 'choice':
      if (!spec.choices.includes(text)) throw new UsageError(`${flag} must be one of ${spec.choices.join(', ')}; got "${text}"`);
      return text;
    case 'boolean':
      throw new Error('a switch has no text value'); // parsed as a boolean option
  }
}

/** After a command's help: the variants and parameters of the demo it names, if any. */
export function printDemoHelp(demo: Demo | undefined): void {
  if (!demo) return;
  const m = demo.manifest;
  process.stdout.write(`\n${m.id}: ${m.title}\n  variants: ${Object.keys(m.variants).join(', ')}\n${describeParams(m).map((l) => `  ${l}\n`).join('')}`);
}

/** `maxVariants` positional variants may follow the demo id. */
export async function parseDemoArgs(args: string[], ctx: CliContext, command: string, maxVariants: number): Promise<ParsedDemoArgs> {
  // Plain "--help": no need to read the demos.
  if (args.every((x) => x.startsWith('-')) && args.some((x) => x === '--help' || x === '-h')) return { help: true, demo: undefined };
  const registry = await ctx.registry();
  const positionals = { max: 1 + maxVariants, usage: `<demo> ${maxVariants === 1 ? '[variant]' : '[variant…]'} (at most ${maxVariants} variant${maxVariants > 1 ? 's' : ''})` };
  // First pass, knowing every demo's parameters, only to find which demo is meant.
  const everyParam = new Map([...registry.values()].flatMap((d) => [...paramOptions(d.manifest)]));
  const first = parseArgs({ args, options: { ...DEMO_COMMAND_OPTIONS, ...asOptions(everyParam), help: { type: 'boolean', short: 'h' } }, strict: false, allowPositionals: true });
  if (first.values.help) return { help: true, demo: first.positionals[0] ? registry.get(first.positionals[0]) : undefined };
  const demo = pickDemo(registry, first.positionals[0], command);
  const m = demo.manifest;

  // Second pass: exactly this demo's parameters.
  const own = paramOptions(m);
  const a = parseCommandArgs(args, {
    command,
    options: { ...DEMO_COMMAND_OPTIONS, ...asOptions(own) },
    positionals,
    unknown: (raw) =>
      `demo "${m.id}" has no parameter ${raw}; ${Object.keys(m.params).length ? `its parameters: ${paramNames(m)}` : 'it takes no parameters'} (${command} also takes ${optionNames(DEMO_COMMAND_OPTIONS)})`,
  });
  const params: Record<string, ParamValue> = {};
  for (const [name, p] of own) {
    const v = a.values[name];
    if (v === undefined) continue;
    params[p.param] = typeof v === 'boolean' ? v !== p.negated : paramValue(`--${name}`, p.spec, v as string);
  }
  const known = Object.keys(m.variants);
  const variants = a.positionals.slice(1);
  for (const v of variants) {
    if (v === 'true' || v === 'false') {
      const flags = Object.entries(m.params).filter(([, s]) => s.type === 'boolean');
      if (flags.length) throw new UsageError(`${flags.map(([n]) => `--${kebab(n)}`).join(', ')} ${flags.length > 1 ? 'are switches' : 'is a switch'}: write --${kebab(flags[0]![0])} or --no-${kebab(flags[0]![0])}, with no value`);
    }
    if (!known.includes(v)) throw new UsageError(`demo "${m.id}" has no variant "${v}"; its variants: ${known.join(', ')}`);
  }
  const maxSeconds = typeof a.values['max-seconds'] === 'string' ? parseDecimal(a.values['max-seconds'], '--max-seconds', { min: 1, max: m.timeLimitSeconds }) : undefined;
  return { help: false, registry, demo, variants, params, json: a.values.json === true, sampleHz: sampleHzOf(a.values), maxSeconds };
}
