// The CLI's one argument parser: the same rules for every command, numbers read strictly,
// a demo's parameters in either spelling. Checked against the real demos' manifests.
import { describe, it, expect } from 'vitest';
import { join, resolve } from 'node:path';
import { parseCommandArgs, parseDecimal, parseInteger } from '../../server/cli/args.js';
import { parseDemoArgs, kebab } from '../../server/cli/demo-args.js';
import { OutputPosition } from '../../server/cli/status-line.js';
import { StepMarkers } from '../../server/run/step-markers.js';
import { loadRegistry } from '../../server/registry/registry.js';
import { UsageError } from '../../server/cli/usage-error.js';

const ROOT = resolve(import.meta.dirname, '../..');
const registry = loadRegistry(join(ROOT, 'demos'));
const ctx = { root: ROOT, registry: () => Promise.resolve(registry) };

describe('numbers', () => {
  it.each(['0', '7', '10', '-3', '0010'])('an integer in decimal digits: %j', (text) => {
    expect(parseInteger(text, '--n', { min: -5, max: 10 })).toBe(Number(text));
  });

  it.each(['', ' 3', '3 ', '3.0', '3.', '0x3', '0b11', '0o3', '3e0', '+3', '1_000', '1,000', 'Infinity', 'NaN', '٣', '3\n', '9007199254740993'])(
    'not an integer: %j',
    (text) => {
      expect(() => parseInteger(text, '--n', { min: -1e20, max: 1e20 })).toThrow(UsageError);
    },
  );

  it.each(['0.5', '2', '.5', '3.', '10.25', '-1.5'])('a plain decimal: %j', (text) => {
    expect(parseDecimal(text, '--x', { min: -2, max: 20 })).toBe(Number(text));
  });

  it.each(['', ' 1', '1e3', '1E-1', '0x10', 'Infinity', '-Infinity', 'NaN', '1..2', '.', '-', '+1', '1,5'])('not a plain decimal: %j', (text) => {
    expect(() => parseDecimal(text, '--x', { min: -1e9, max: 1e9 })).toThrow(UsageError);
  });

  it('names the option and its range, and what it got', () => {
    expect(() => parseInteger('11', '--count', { min: 1, max: 10 })).toThrow('--count must be a whole number from 1 to 10; got "11"');
    expect(() => parseDecimal('0.05', '--delay', { min: 0.1, max: 3 })).toThrow('--delay must be a number from 0.1 to 3; got "0.05"');
  });
});

describe('parseCommandArgs', () => {
  const spec = { command: 'demo', options: { port: { type: 'string' as const }, dev: { type: 'boolean' as const } }, positionals: { max: 1, usage: '[thing]' } };

  it('reads values, switches, positionals and --help', () => {
    expect(parseCommandArgs(['x', '--port', '80', '--dev'], spec)).toMatchObject({ values: { port: '80', dev: true }, positionals: ['x'], help: false });
    expect(parseCommandArgs(['--port=81'], spec).values.port).toBe('81');
    expect(parseCommandArgs(['--bogus', '-h'], spec).help).toBe(true); // help wins over mistakes
  });

  it.each([
    [['--bogus'], 'unknown option --bogus; demo takes --port, --dev, --help'],
    [['-x'], 'unknown option -x; demo takes --port, --dev, --help'],
    [['--port'], '--port needs a value'],
    [['--port', '--dev'], '--port needs a value'],
    [['--dev=yes'], '--dev takes no value; write --dev alone'],
    [['a', 'b'], 'demo takes [thing]; left over: "b"'],
    [['--__proto__', '1'], 'unknown option --__proto__'],
    [['--constructor'], 'unknown option --constructor'],
  ])('%j is refused: %s', (args, message) => {
    expect(() => parseCommandArgs(args, spec)).toThrow(message);
  });
});

describe('parseDemoArgs', () => {
  it('takes a parameter in kebab-case as the sample prints it, or as declared, and hands on a number', async () => {
    for (const flag of ['--max-threads', '--maxThreads']) {
      const a = await parseDemoArgs(['c10k', 'threads', flag, '150', '--connections', '200'], ctx, 'run', 1);
      expect(a.help === false && a.params).toEqual({ maxThreads: 150, connections: 200 });
    }
    expect(kebab('maxDelay')).toBe('max-delay');
  });

  it('reads switches, choices and the common options', async () => {
    const a = await parseDemoArgs(['ws-chat', 'call-path', '--full', '--json', '--sample-hz', '2', '--max-seconds', '5'], ctx, 'run', 1);
    expect(a).toMatchObject({ help: false, params: { full: true }, json: true, sampleHz: 2, maxSeconds: 5 });
    const b = await parseDemoArgs(['ws-chat', 'call-path', '--no-full'], ctx, 'run', 1);
    expect(b.help === false && b.params).toEqual({ full: false });
    const c = await parseDemoArgs(['not-faster', '--mode', 'sleepy'], ctx, 'run', 1);
    expect(c.help === false && c.params.mode).toBe('sleepy');
  });

  it('options may come before the demo', async () => {
    const a = await parseDemoArgs(['--sample-hz', '2', 'hello', 'selectors'], ctx, 'run', 1);
    expect(a).toMatchObject({ help: false, variants: ['selectors'], sampleHz: 2 });
  });

  it('refuses another demo’s parameter, naming this demo’s', async () => {
    await expect(parseDemoArgs(['hello', '--connections', '5'], ctx, 'run', 1)).rejects.toThrow(/demo "hello" has no parameter --connections; its parameters: --count, --delay/);
  });
});

describe('OutputPosition', () => {
  const at = (...chunks: (string | number[])[]) => {
    const p = new OutputPosition();
    for (const c of chunks) p.feed(typeof c === 'string' ? Buffer.from(c) : Uint8Array.from(c));
    return p;
  };

  it('knows when a read ended inside a UTF-8 character or an escape sequence', () => {
    const dot = [...Buffer.from('·')]; // two bytes
    expect(at([dot[0]!]).atBoundary).toBe(false);
    expect(at([dot[0]!], [dot[1]!]).atBoundary).toBe(true);
    expect(at('\x1b').atBoundary).toBe(false);
    expect(at('\x1b[1;3').atBoundary).toBe(false);
    expect(at('\x1b[1;3', '1m').atBoundary).toBe(true);
    expect(at('\x1b]0;title').atBoundary).toBe(false);
    expect(at('\x1b]0;title\x07').atBoundary).toBe(true);
    expect(at('\x1b]0;title\x1b\\').atBoundary).toBe(true);
    expect(at('\x1b(B').atBoundary).toBe(true);
  });

  it('knows whether the cursor is at the start of a line', () => {
    expect(at('').atLineStart).toBe(true);
    expect(at('abc').atLineStart).toBe(false);
    expect(at('abc\r\n').atLineStart).toBe(true);
    expect(at('50 %\r').atLineStart).toBe(false); // a progress line: keep it, go on below it
    expect(at('abc\n', '\x1b[0m').atLineStart).toBe(true);
  });
});

describe('StepMarkers', () => {
  it('finds each step once, on whole lines, even split across reads, and says which is last', () => {
    const m = new StepMarkers([
      { match: 'ramping to', label: 'load begins' },
      { match: 'holding \\d+', label: 'all held' },
    ]);
    expect(m.feed('client: ramp')).toEqual([]);
    expect(m.feed('ing to 200\r\nserver: hold')).toEqual([{ label: 'load begins', last: false }]);
    expect(m.feed('ing 200 idle\n')).toEqual([{ label: 'all held', last: true }]);
    expect(m.feed('ramping to 200\nholding 5\n')).toEqual([]);
  });
});
