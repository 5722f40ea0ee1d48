// Binds a demo source to an xterm.js terminal, as an xterm addon (terminal.loadAddon):
// the run's output is written, and acknowledged in batches once drawn so the server sends
// more; a reset clears the screen (in order with the output); what is typed goes to the program, and the terminal's
// size to its PTY, while a run is on. Nothing else: the widget around the terminal draws
// its own chrome. Works with @xterm/xterm's Terminal and @xterm/headless's alike.
import type { DemoSource } from '../sources/demo-source.js';

interface Disposable {
  dispose(): void;
}

const FULL_RESET = '\x1bc';

/** What the addon uses of a terminal. */
export interface AddonTerminal {
  readonly cols: number;
  readonly rows: number;
  write(data: string | Uint8Array, callback?: () => void): void;
  onData(listener: (data: string) => void): Disposable;
  onResize(listener: (size: { cols: number; rows: number }) => void): Disposable;
}

export interface SourceAddonOptions {
  /** Acknowledge once this many drawn bytes are waiting (fewer messages, well under the server's window). */
  ackBatch?: number;
  /** …or this long after the first of them was drawn. */
  ackDelayMs?: number;
}

export class SourceAddon {
  private readonly ackBatch: number;
  private readonly ackDelayMs: number;
  private readonly undo: (() => void)[] = [];
  /** Between a run's start and its end: input and resizes go to it. */
  private running = false;
  /** Counts runs and resets, so a write drawn after one is not acknowledged to the next. */
  private generation = 0;
  private pendingAck = 0;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly source: DemoSource,
    opts: SourceAddonOptions = {},
  ) {
    this.ackBatch = opts.ackBatch ?? 8 * 1024;
    this.ackDelayMs = opts.ackDelayMs ?? 20;
  }

  activate(term: AddonTerminal): void {
    const s = this.source;
    const ended = () => {
      this.flushAck();
      this.running = false;
    };
    this.undo.push(
      s.on('reset', () => {
        this.startOver();
        // A full reset (RIS) in the stream, not term.reset(): output written before it may
        // not be drawn yet, and must not be drawn after it.
        term.write(FULL_RESET);
      }),
      s.on('run', (run) => {
        this.startOver();
        this.running = true;
        // The terminal may have been resized while the run was starting.
        if (run.size.cols !== term.cols || run.size.rows !== term.rows) s.resize(term.cols, term.rows);
      }),
      s.on('output', (bytes) => {
        const gen = this.generation;
        term.write(bytes, () => {
          if (gen === this.generation) this.acknowledge(bytes.byteLength);
        });
      }),
      s.on('exit', ended),
      s.on('error', ended),
    );
    const data = term.onData((d) => {
      if (this.running && s.acceptsInput) s.input(d);
    });
    const resize = term.onResize(({ cols, rows }) => {
      if (this.running) s.resize(cols, rows);
    });
    this.undo.push(
      () => data.dispose(),
      () => resize.dispose(),
    );
    // Following a run already on (a source swapped in mid-run): input and resizes go to it.
    this.running = s.current !== undefined && s.current.ended === undefined;
  }

  private startOver(): void {
    this.generation++;
    this.pendingAck = 0;
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
  }

  private acknowledge(bytes: number): void {
    this.pendingAck += bytes;
    if (this.pendingAck >= this.ackBatch) this.flushAck();
    else this.ackTimer ??= setTimeout(() => this.flushAck(), this.ackDelayMs);
  }

  private flushAck(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.pendingAck > 0) this.source.ack(this.pendingAck);
    this.pendingAck = 0;
  }

  dispose(): void {
    this.flushAck();
    for (const off of this.undo.splice(0)) off();
    this.running = false;
    this.generation++;
  }
}
