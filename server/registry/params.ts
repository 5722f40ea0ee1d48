// Turns a client's parameters into validated values and the exact argv to run.
// A value is taken as it is or refused: a number must be a JSON number ("3", "0x3" and
// "3e0" are strings, not numbers), a boolean a JSON boolean. The command line reads its
// text into such values itself (server/cli/demo-args.ts).
import type { Manifest, ParamSpec, ParamValue, VariantSpec } from './manifest.js';
import { quoteValue, shortText } from '../protocol/short-text.js';

export type ParamResult = { ok: true; values: Record<string, ParamValue> } | { ok: false; message: string };

function describeChoices(m: Manifest): string {
  const names = Object.keys(m.params);
  return names.length ? `its parameters are: ${names.join(', ')}` : 'it takes no parameters';
}

/** The declared parameter of this name, never an inherited property such as "constructor". */
export function paramSpecOf(m: Manifest, key: string): ParamSpec | undefined {
  return Object.hasOwn(m.params, key) ? m.params[key] : undefined;
}

function expected(spec: ParamSpec): string {
  switch (spec.type) {
    case 'integer': return `a whole number from ${spec.min} to ${spec.max}`;
    case 'number': return `a number from ${spec.min} to ${spec.max}`;
    case 'boolean': return 'true or false';
    case 'choice': return `one of ${spec.choices.join(', ')}`;
  }
}

/** Fills defaults and checks every given value against its declared type and bounds. */
export function resolveParams(m: Manifest, given: Record<string, unknown> = {}): ParamResult {
  const values: Record<string, ParamValue> = {};
  for (const key of Object.keys(given)) {
    if (!paramSpecOf(m, key)) {
      return { ok: false, message: `demo "${m.id}" has no parameter "${shortText(key)}"; ${describeChoices(m)}` };
    }
  }
  for (const [key, spec] of Object.entries(m.params)) {
    const v = Object.hasOwn(given, key) ? given[key] : undefined;
    if (v === undefined) {
      values[key] = spec.default;
      continue;
    }
    const refuse = (): ParamResult => ({ ok: false, message: `parameter "${key}" must be ${expected(spec)}; got ${quoteValue(v)}` });
    switch (spec.type) {
      case 'integer':
      case 'number': {
        if (typeof v !== 'number' || !Number.isFinite(v) || (spec.type === 'integer' && !Number.isInteger(v))) return refuse();
        if (v < spec.min || v > spec.max) {
          return { ok: false, message: `parameter "${key}" must be from ${spec.min} to ${spec.max}; got ${v}` };
        }
        values[key] = v;
        break;
      }
      case 'boolean':
        if (typeof v !== 'boolean') return refuse();
        values[key] = v;
        break;
      case 'choice':
        if (typeof v !== 'string' || !spec.choices.includes(v)) return refuse();
        values[key] = v;
        break;
    }
  }
  return { ok: true, values };
}

/** Replaces each `{param}` in the variant's argv with its validated value. No shell is involved. */
export function buildArgv(variant: VariantSpec, values: Record<string, ParamValue>): string[] {
  return variant.argv.map((tok) => tok.replace(/\{([^}]*)\}/g, (_, key: string) => String(values[key])));
}
