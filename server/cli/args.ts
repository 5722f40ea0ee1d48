// The one argument parser every command uses: node's util.parseArgs, with the same rules and
// the same plain messages everywhere. A mistake is a UsageError (exit code 2) that names the
// valid choices; numbers are read strictly (digits, not whatever Number() accepts).
import { parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
}

export interface ArgSpec {
  /** The command's name, for messages: "list takes no arguments". */
  command: string;
  options: Record<string, OptionSpec>;
  /** How many positional arguments it takes, and how to name them in a message. */
  positionals?: { max: number; usage: string };
  /** A message for an unknown option, when the command can say more than the default. */
  unknown?: (rawName: string) => string;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  help: boolean;
}

const HELP: Record<string, OptionSpec> = { help: { type: 'boolean', short: 'h' } };

/** "--sample-hz, --json, --help": a command's options as its user types them. */
export function optionNames(options: Record<string, OptionSpec>): string {
  return Object.keys({ ...options, ...HELP })
    .map((n) => `--${n}`)
    .join(', ');
}

/** Parses `args` against `spec`; throws a UsageError for anything the command does not take. */
export function parseCommandArgs(args: string[], spec: ArgSpec): ParsedArgs {
  const options = { ...spec.options, ...HELP };
  // Not strict: the tokens let each mistake get a message of ours rather than node's.
  const { values, positionals, tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const help = tokens.some((t) => t.kind === 'option' && t.name === 'help');
  if (help) return { values, positionals, help };
  for (const [i, t] of tokens.entries()) {
    // "--full true": a switch given a value as the next word, which would pass for a positional.
    const before = tokens[i - 1];
    if (t.kind === 'positional' && (t.value === 'true' || t.value === 'false') && before?.kind === 'option' && options[before.name]?.type === 'boolean' && Object.hasOwn(options, before.name)) {
      const bare = before.rawName.replace(/^--no-/, '--');
      throw new UsageError(`${before.rawName} is a switch: write ${bare} or ${bare.replace(/^--/, '--no-')}, with no value`);
    }
    if (t.kind !== 'option') continue;
    const o = Object.hasOwn(options, t.name) ? options[t.name] : undefined;
    if (!o) {
      throw new UsageError(spec.unknown?.(t.rawName) ?? `unknown option ${t.rawName}; ${spec.command} takes ${optionNames(spec.options)}`);
    }
    if (o.type === 'string' && (t.value === undefined || (!t.inlineValue && t.value.startsWith('--')))) {
      throw new UsageError(`${t.rawName} needs a value`);
    }
    if (o.type === 'boolean' && t.value !== undefined) {
      throw new UsageError(`${t.rawName} takes no value; write ${t.rawName} alone`);
    }
  }
  const max = spec.positionals?.max ?? 0;
  if (positionals.length > max) {
    const extra = positionals.slice(max).map((p) => `"${p}"`).join(' ');
    throw new UsageError(max === 0 ? `${spec.command} takes no arguments; got ${extra}` : `${spec.command} takes ${spec.positionals!.usage}; left over: ${extra}`);
  }
  return { values, positionals, help };
}

export interface Range {
  min: number;
  max: number;
}

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?(\d+(\.\d*)?|\.\d+)$/;

/** A whole number written in decimal digits ("3", not "3.0", "0x3", " 3 " or "3e0"), within range. */
export function parseInteger(text: string, what: string, range: Range): number {
  const n = Number(text);
  if (!INTEGER.test(text) || !Number.isSafeInteger(n) || n < range.min || n > range.max) {
    throw new UsageError(`${what} must be a whole number from ${range.min} to ${range.max}; got "${text}"`);
  }
  return n;
}

/** A plain decimal number ("0.5", "2", ".5"; not "1e3", "Infinity" or " 2"), within range. */
export function parseDecimal(text: string, what: string, range: Range): number {
  const n = Number(text);
  if (!DECIMAL.test(text) || n < range.min || n > range.max) {
    throw new UsageError(`${what} must be a number from ${range.min} to ${range.max}; got "${text}"`);
  }
  return n;
}

/** The one spelling of --sample-hz that run, compare and record share. */
export const SAMPLE_HZ: Record<string, OptionSpec> = { 'sample-hz': { type: 'string' } };

export function sampleHzOf(values: ParsedArgs['values'], fallback = 4, min = 0.5): number {
  const text = values['sample-hz'];
  return typeof text === 'string' ? parseDecimal(text, '--sample-hz', { min, max: 20 }) : fallback;
}

/** The port `npm start` serves on unless told otherwise. */
export const DEFAULT_PORT = 2014;

export function parsePort(text: string, what: string): number {
  return parseInteger(text, what, { min: 0, max: 65535 });
}

/** The port `serve` listens on and `doctor` checks: --port, else $PORT, else the default. */
export function servePort(option: string | undefined, env: NodeJS.ProcessEnv = process.env): number {
  if (option !== undefined) return parsePort(option, '--port');
  return env.PORT ? parsePort(env.PORT, 'PORT') : DEFAULT_PORT;
}
