// A consumer of a DemoRun that draws what it gets into its own headless xterm.js terminal and
// acknowledges each chunk once the terminal has parsed it, as a page's terminal does; it can
// stop reading (keep what arrives, draw and acknowledge nothing) and start again.
import { createRequire } from 'node:module';
import type * as Headless from '@xterm/headless';
import type { DemoRun } from '../../server/run/demo-run.js';
import type { ConsumerRole, RunConsumer } from '../../server/run/run-consumer.js';
import type { ConsumerEvent, RunExit } from '../../server/run/run-events.js';

const { Terminal } = createRequire(import.meta.url)('@xterm/headless') as typeof Headless;

/** A headless terminal of `cols` × `rows` (with scrollback, as the deck's). */
export function headlessTerminal(cols: number, rows: number): Headless.Terminal {
  return new Terminal({ cols, rows, scrollback: 1000, allowProposedApi: true });
}

/** The visible rows of `term`, trailing blanks trimmed. */
export function visibleText(term: Headless.Terminal): string {
  const buf = term.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < term.rows; y++) lines.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
  return lines.join('\n').trimEnd();
}

export class DrawingConsumer {
  readonly term: Headless.Terminal;
  readonly consumer: RunConsumer;
  /** Event types in the order they came. */
  readonly log: ConsumerEvent['type'][] = [];
  /** Output bytes received so far, drawn or not. */
  received = 0;
  /** The output received, as text (its first MiB). */
  receivedText = '';
  /** What the markers were, with how much of `receivedText` had come before each. */
  readonly markers: { label: string; after: number }[] = [];
  exit: RunExit | undefined;
  private reading = true;
  private unread: ConsumerEvent[] = [];
  private writes = 0;
  private idle: (() => void)[] = [];

  constructor(run: DemoRun, role: ConsumerRole, opts: { reading?: boolean; cols?: number; rows?: number } = {}) {
    this.reading = opts.reading ?? true;
    this.term = headlessTerminal(opts.cols ?? 80, opts.rows ?? 24);
    this.consumer = run.subscribe((e) => this.onEvent(e), { role });
  }

  /** Stops drawing and acknowledging: what arrives waits. */
  pause(): void {
    this.reading = false;
  }

  /** Draws what waited, and from now on what arrives. */
  resume(): void {
    this.reading = true;
    for (const e of this.unread.splice(0)) this.draw(e);
  }

  text(): string {
    return visibleText(this.term);
  }

  cursor(): [number, number] {
    return [this.term.buffer.active.cursorX, this.term.buffer.active.cursorY];
  }

  /** Resolves once everything it was given is drawn. */
  drawn(): Promise<void> {
    if (this.writes === 0 && this.unread.length === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  private onEvent(e: ConsumerEvent): void {
    this.log.push(e.type);
    if (e.type === 'output') {
      this.received += e.bytes.byteLength;
      if (this.receivedText.length < 1024 * 1024) this.receivedText += e.bytes.toString('utf8');
    }
    if (e.type === 'marker') this.markers.push({ label: e.label, after: this.receivedText.length });
    if (e.type === 'exit') this.exit = e.exit;
    if (this.reading) this.draw(e);
    else this.unread.push(e);
  }

  private draw(e: ConsumerEvent): void {
    if (e.type !== 'output' && e.type !== 'screen') return;
    if (e.type === 'screen') this.term.resize(e.cols, e.rows);
    const data = e.type === 'output' ? e.bytes : e.data;
    const n = e.type === 'output' ? e.bytes.byteLength : Buffer.byteLength(e.data);
    this.writes++;
    this.term.write(data, () => {
      this.consumer.ack(n);
      if (--this.writes === 0 && this.unread.length === 0) for (const r of this.idle.splice(0)) r();
    });
  }
}
