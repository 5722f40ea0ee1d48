// Parses `<demo> [variant] [--param value …] [--json] [--sample-hz N]` against the registry,
// naming the valid choices whenever something is off.
import type { Registry, Demo } from '../registry/registry.js';
import { UsageError } from './usage-error.js';

export interface DemoArgs {
  demo: Demo;
  variants: string[];
  params: Record<string, string>;
  json: boolean;
  sampleHz: number;
  help: boolean;
}

export function pickDemo(registry: Registry, id: string | undefined, command: string): Demo {
  if (!id) throw new UsageError(`${command} needs a demo; demos: ${[...registry.keys()].join(', ')}`);
  const demo = registry.get(id);
  if (!demo) throw new UsageError(`unknown demo "${id}"; demos: ${[...registry.keys()].join(', ')}`);
  return demo;
}

/** `maxVariants` positional variants may follow the demo id. */
export function parseDemoArgs(registry: Registry, args: string[], command: string, maxVariants: number): DemoArgs {
  const positional: string[] = [];
  const params: Record<string, string> = {};
  let json = false;
  let help = false;
  let sampleHz = 4;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--json') json = true;
    else if (arg === '-h' || arg === '--help') help = true;
    else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      if (name === 'sample-hz') {
        sampleHz = Number(value);
        if (!Number.isFinite(sampleHz) || sampleHz <= 0 || sampleHz > 20) throw new UsageError(`--sample-hz must be a number above 0, at most 20; got "${value}"`);
      } else params[name] = value;
    } else positional.push(arg);
  }
  if (help) return { demo: undefined as unknown as Demo, variants: [], params, json, sampleHz, help };
  const demo = pickDemo(registry, positional[0], command);
  const known = Object.keys(demo.manifest.variants);
  const variants = positional.slice(1);
  if (variants.length > maxVariants) {
    throw new UsageError(`${command} takes at most ${maxVariants} variant${maxVariants > 1 ? 's' : ''}; got ${variants.join(' ')}`);
  }
  for (const v of variants) {
    if (!known.includes(v)) throw new UsageError(`demo "${demo.manifest.id}" has no variant "${v}"; its variants: ${known.join(', ')}`);
  }
  for (const name of Object.keys(params)) {
    if (!(name in demo.manifest.params)) {
      const names = Object.keys(demo.manifest.params);
      throw new UsageError(`demo "${demo.manifest.id}" has no parameter --${name}; ${names.length ? `its parameters: ${names.map((n) => `--${n}`).join(', ')}` : 'it takes no parameters'}`);
    }
  }
  return { demo, variants, params, json, sampleHz, help };
}
