// The binding between a demo source and an xterm.js terminal, on its own: a headless xterm
// (@xterm/headless, the same parser and buffer as the browser's) and a small in-memory
// source, then a real recording played by the deck's own ReplaySource.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Terminal } from '@xterm/headless';
import { SourceAddon } from '../../slides/runtime/terminal/source-addon.js';
import { SourceBase, type DemoSource } from '../../slides/runtime/sources/demo-source.js';
import type { RunEvents } from '../../slides/runtime/sources/run-events.js';
import { ReplaySource } from '../../slides/runtime/sources/replay-source.js';
import { screenText } from '../../slides/runtime/screen-text.js';
import { serveStatic, type StaticSite } from '../helpers/static-server.js';
import { ROOT } from '../helpers/server.js';

/** A source whose events the test emits, and which records what the terminal sends it. */
class TestSource extends SourceBase implements DemoSource {
  readonly provenance = { kind: 'live' } as const;
  readonly controls = undefined;
  acceptsInput = true;
  readonly acks: number[] = [];
  readonly inputs: string[] = [];
  readonly resizes: [number, number][] = [];
  constructor() {
    super({ demo: 'test' });
  }
  tell<K extends keyof RunEvents>(event: K, value: RunEvents[K]): void {
    this.emit(event, value);
  }
  begin(cols = 80, rows = 24): void {
    this.tell('run', { demo: 'test', variant: 'v', params: {}, size: { cols, rows }, provenance: this.provenance });
  }
  ready = () => Promise.resolve();
  unavailable = () => Promise.resolve(undefined);
  start(): void {}
  stop(): void {}
  input(data: string): void {
    this.inputs.push(data);
  }
  resize(cols: number, rows: number): void {
    this.resizes.push([cols, rows]);
  }
  ack(bytes: number): void {
    this.acks.push(bytes);
  }
}

const drawn = (term: Terminal) => new Promise<void>((resolve) => term.write('', resolve));
const text = (term: Terminal) => {
  const buf = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? '');
  return lines.join('\n').trimEnd();
};
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setUp(opts?: ConstructorParameters<typeof SourceAddon>[1]) {
  const term = new Terminal({ cols: 80, rows: 24, allowProposedApi: true });
  const source = new TestSource();
  const addon = new SourceAddon(source, { ackDelayMs: 5, ...opts });
  term.loadAddon(addon);
  return { term, source, addon };
}

describe('the source addon', () => {
  it('writes a run’s output in order and acknowledges every drawn byte, in batches', async () => {
    const { term, source } = setUp({ ackBatch: 4096 });
    source.begin();
    const lines = Array.from({ length: 200 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'x'.repeat(60)}\r\n`);
    const bytes = lines.map((l) => new TextEncoder().encode(l));
    for (const b of bytes) source.tell('output', b);
    await drawn(term);
    await settle(20);
    const total = sum(bytes.map((b) => b.byteLength));
    expect(sum(source.acks)).toBe(total);
    // Batched: far fewer acknowledgements than writes.
    expect(source.acks.length).toBeLessThan(bytes.length / 10);
    expect(text(term).split('\n').at(-1)).toBe(lines.at(-1)!.trimEnd());
  });

  it('writes what comes while the terminal parses its last write as one write, in order, and the end after it', async () => {
    const { term, source, addon } = setUp({ ackBatch: 4096 });
    source.begin();
    const lines = Array.from({ length: 300 }, (_, i) => `line ${String(i).padStart(3, '0')}\r\n`);
    for (const l of lines) source.tell('output', new TextEncoder().encode(l));
    // The first at once, the other 299 together once the first is parsed and drawn.
    expect(addon.stats.writes).toBe(1);
    source.tell('exit', { code: 0, signal: null, reason: 'exited' }); // writes what waits first
    term.write('-- end --\r\n');
    await drawn(term);
    await settle(20);
    expect(addon.stats).toEqual({ writes: 2, bytes: lines.join('').length });
    expect(sum(source.acks)).toBe(lines.join('').length);
    const shown = text(term).split('\n');
    expect(shown.slice(-2)).toEqual(['line 299', '-- end --']);
    // Without coalescing (the benchmark's "before"): a write per output.
    const plain = setUp({ coalesce: false });
    plain.source.begin();
    for (const l of lines.slice(0, 10)) plain.source.tell('output', new TextEncoder().encode(l));
    expect(plain.addon.stats.writes).toBe(10);
  });

  it('acknowledges nothing to a new run for output of the run before it', async () => {
    const { term, source } = setUp({ ackBatch: 1 << 30 });
    source.begin();
    source.tell('output', new TextEncoder().encode('old run\r\n'.repeat(100)));
    // The next run begins before the old output is drawn (xterm parses writes later).
    source.tell('reset', undefined);
    source.begin();
    const fresh = new TextEncoder().encode('new run\r\n');
    source.tell('output', fresh);
    await drawn(term);
    await settle(20);
    expect(sum(source.acks)).toBe(fresh.byteLength);
    expect(text(term)).toBe('new run');
  });

  it('sends what is typed only while a run is on, and only to a source that takes input', async () => {
    const { term, source } = setUp();
    term.input('before', true);
    source.begin();
    term.input('during', true);
    source.tell('exit', { code: 0, signal: null, reason: 'exited' });
    term.input('after', true);
    source.begin();
    source.acceptsInput = false;
    term.input('to a recording', true);
    expect(source.inputs).toEqual(['during']);
  });

  it('sends the terminal’s size while a run is on, and at its start when it changed meanwhile', () => {
    const { term, source } = setUp();
    term.resize(100, 30); // before any run: nothing to tell
    expect(source.resizes).toEqual([]);
    source.begin(80, 24); // the run was started at 80×24; the terminal is 100×30 by now
    expect(source.resizes).toEqual([[100, 30]]);
    term.resize(90, 20);
    expect(source.resizes).toEqual([[100, 30], [90, 20]]);
    source.tell('error', 'the server went away');
    term.resize(70, 20);
    expect(source.resizes).toHaveLength(2);
  });

  it('clears the screen on a reset, and does nothing once disposed', async () => {
    const { term, source, addon } = setUp();
    source.begin();
    source.tell('output', new TextEncoder().encode('first\r\n'));
    await drawn(term);
    expect(text(term)).toBe('first');
    source.tell('reset', undefined);
    await drawn(term);
    expect(text(term)).toBe('');
    addon.dispose();
    source.begin();
    source.tell('output', new TextEncoder().encode('after dispose\r\n'));
    term.input('typed', true);
    await drawn(term);
    expect(text(term)).toBe('');
    expect(source.inputs).toEqual([]);
  });
});

describe('the source addon with a real recording', () => {
  let site: StaticSite;
  beforeAll(async () => {
    site = await serveStatic(join(ROOT, 'dist'), '/site/');
  });
  afterAll(() => site?.close());

  it('shows what the recorded run printed, rebuilt from the start after a seek back', async () => {
    const term = new Terminal({ cols: 80, rows: 50, allowProposedApi: true });
    const replay = new ReplaySource({ demo: 'hello', variant: 'blocking' }, site.url);
    expect(await replay.unavailable()).toBeUndefined();
    term.loadAddon(new SourceAddon(replay));
    const events: string[] = [];
    for (const e of ['reset', 'run', 'marker', 'exit'] as const) replay.on(e, () => events.push(e));
    replay.start();
    replay.pause();
    replay.seek(replay.duration);
    await drawn(term);
    // The recording's own text, read from the file with the build's reader, not the replay's.
    const recorded = screenText(readFileSync(join(ROOT, 'demos/hello/recordings/blocking.cast'), 'utf8')).lines.filter(Boolean);
    const shown = text(term).split('\n').map((l) => l.trimEnd()).filter(Boolean);
    expect(shown).toEqual(recorded);
    expect(shown.at(-1)).toMatch(/3 requests in/);
    // Each seek starts over: a reset, then the run, its two steps, its end.
    expect(events.slice(-5)).toEqual(['reset', 'run', 'marker', 'marker', 'exit']);
    replay.seek(0.05);
    await drawn(term);
    expect(text(term)).not.toMatch(/3 requests in/);
    replay.dispose();
  });
});
