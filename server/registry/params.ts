// Turns a client's parameters into validated values and the exact argv to run.
import type { Manifest, ParamValue, VariantSpec } from './manifest.js';

export type ParamResult = { ok: true; values: Record<string, ParamValue> } | { ok: false; message: string };

function describeChoices(m: Manifest): string {
  const names = Object.keys(m.params);
  return names.length ? `its parameters are: ${names.join(', ')}` : 'it takes no parameters';
}

/** Fills defaults and checks every given value against its declared type and bounds. */
export function resolveParams(m: Manifest, given: Record<string, unknown> = {}): ParamResult {
  const values: Record<string, ParamValue> = {};
  for (const key of Object.keys(given)) {
    if (!(key in m.params)) {
      return { ok: false, message: `demo "${m.id}" has no parameter "${key}"; ${describeChoices(m)}` };
    }
  }
  for (const [key, spec] of Object.entries(m.params)) {
    const v = given[key];
    if (v === undefined) {
      values[key] = spec.default;
      continue;
    }
    switch (spec.type) {
      case 'integer':
      case 'number': {
        const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
        if (typeof n !== 'number' || !Number.isFinite(n) || (spec.type === 'integer' && !Number.isInteger(n))) {
          return { ok: false, message: `parameter "${key}" must be ${spec.type === 'integer' ? 'a whole number' : 'a number'} from ${spec.min} to ${spec.max}; got ${JSON.stringify(v)}` };
        }
        if (n < spec.min || n > spec.max) {
          return { ok: false, message: `parameter "${key}" must be from ${spec.min} to ${spec.max}; got ${n}` };
        }
        values[key] = n;
        break;
      }
      case 'boolean': {
        const b = v === 'true' ? true : v === 'false' ? false : v;
        if (typeof b !== 'boolean') return { ok: false, message: `parameter "${key}" must be true or false; got ${JSON.stringify(v)}` };
        values[key] = b;
        break;
      }
      case 'choice': {
        if (typeof v !== 'string' || !spec.choices.includes(v)) {
          return { ok: false, message: `parameter "${key}" must be one of ${spec.choices.join(', ')}; got ${JSON.stringify(v)}` };
        }
        values[key] = v;
        break;
      }
    }
  }
  return { ok: true, values };
}

/** Replaces each `{param}` in the variant's argv with its validated value. No shell is involved. */
export function buildArgv(variant: VariantSpec, values: Record<string, ParamValue>): string[] {
  return variant.argv.map((tok) => tok.replace(/\{([^}]*)\}/g, (_, key: string) => String(values[key])));
}
