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

/** Output that waits for the frame after a write is written at once when it reaches this size. */
const MAX_WRITE = 512 * 1024;
/** A write drawn slower than this (from parsed to drawn) is a slow frame. */
const SLOW_FRAME_MS = 50;

export interface SourceAddonOptions {
  /**
   * One write per frame: output that comes while the terminal parses and draws the last write
   * waits, and goes in as one write after that frame. xterm.js draws between its parsing
   * slices, so during a flood it would otherwise draw once per frame of the socket; drawing
   * costs more than parsing (much more with WebGL), so fewer, larger writes carry more bytes
   * per frame drawn. Output after a quiet spell (an echoed key) is written at once. Default on.
   */
  coalesce?: boolean;
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
  /** Output waiting for the frame that draws the write before it. */
  private waiting: Uint8Array[] = [];
  private waitingBytes = 0;
  /** A write is being parsed or drawn: output waits. */
  private busy = false;
  /** The last frame took long to draw: output is written as it comes. */
  private slowFrames = false;
  private term: AddonTerminal | undefined;
  /** One write per frame (see SourceAddonOptions.coalesce); scripts may turn it off to compare. */
  coalesce: boolean;
  /** Writes into the terminal and the bytes they carried, for the benchmark. */
  readonly stats = { writes: 0, bytes: 0 };

  constructor(
    readonly source: DemoSource,
    opts: SourceAddonOptions = {},
  ) {
    this.ackBatch = opts.ackBatch ?? 8 * 1024;
    this.ackDelayMs = opts.ackDelayMs ?? 20;
    this.coalesce = opts.coalesce ?? true;
  }

  activate(term: AddonTerminal): void {
    const s = this.source;
    this.term = term;
    const ended = () => {
      this.writeWaiting(); // before anything the widget writes about the end
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
        this.waiting.push(bytes);
        this.waitingBytes += bytes.byteLength;
        if (!this.coalesce || !this.busy || this.slowFrames || this.waitingBytes >= MAX_WRITE) this.writeWaiting();
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

  /** Writes what waits as one write; the next waits for the frame after it is parsed. */
  private writeWaiting(): void {
    const term = this.term;
    const n = this.waitingBytes;
    if (!term || n === 0) return;
    const parts = this.waiting;
    this.waiting = [];
    this.waitingBytes = 0;
    const data = parts.length === 1 ? parts[0]! : concat(parts, n);
    const gen = this.generation;
    this.busy = true;
    this.stats.writes++;
    this.stats.bytes += n;
    term.write(data, () => {
      if (gen !== this.generation) return;
      this.acknowledge(n);
      const parsedAt = performance.now();
      afterNextFrame(() => {
        if (gen !== this.generation) return;
        // A frame slow to draw (a software WebGL, a busy laptop): holding output for the next
        // one also holds its acknowledgement, and the pipe runs dry (bench/terminal.ts); then
        // output goes straight to xterm.js, which parses it between frames by itself.
        this.slowFrames = performance.now() - parsedAt > SLOW_FRAME_MS;
        this.busy = false;
        this.writeWaiting();
      });
    });
  }

  private startOver(): void {
    this.generation++;
    // Output of the run before is not drawn after its reset.
    this.waiting = [];
    this.waitingBytes = 0;
    this.busy = false;
    this.slowFrames = false;
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
    this.writeWaiting();
    this.flushAck();
    for (const off of this.undo.splice(0)) off();
    this.running = false;
    this.generation++;
  }
}

function concat(parts: Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * After the next frame is drawn (xterm.js asked for that frame while parsing, so it draws first).
 * A hidden page draws no frames, and a headless terminal has none: then a timer.
 */
function afterNextFrame(fn: () => void): void {
  if (typeof requestAnimationFrame !== 'function' || typeof document === 'undefined' || document.hidden) {
    setTimeout(fn, 0);
    return;
  }
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    fn();
  };
  // A page hidden meanwhile stops its frames: the timer goes on without them.
  const timer = setTimeout(once, 250);
  requestAnimationFrame(once);
}
