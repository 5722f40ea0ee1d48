// The run's screen, kept on the server: a headless xterm.js terminal that parses the run's
// output as a page's terminal would, so a page that joins mid-run (or fell behind) is sent
// the current screen (serialize()) rather than a byte log. Its memory is bounded by its
// scrollback; what waits to be parsed is bounded by holding the PTY (BACKLOG_HIGH).
//
// xterm.js parses asynchronously (its write buffer works in time slices); a write's callback
// runs right after that chunk is parsed and before the next one, so `whenParsed` gives the
// state after exactly the bytes written so far: a snapshot consistent with the output after it.
import { createRequire } from 'node:module';
import type * as Headless from '@xterm/headless';
import type * as Serialize from '@xterm/addon-serialize';

// Both packages are CommonJS bundles that Node's ESM loader cannot take names from, and whose
// "module" field (which Vite's loader prefers) names a browser build: require them as CommonJS.
const require = createRequire(import.meta.url);
const { Terminal } = require('@xterm/headless') as typeof Headless;
const { SerializeAddon } = require('@xterm/addon-serialize') as typeof Serialize;

/** Lines kept above the screen: what a joining page can scroll back to. */
export const SCREEN_SCROLLBACK = 1000;
/** Output not yet parsed above which the run's PTY is held, and below which it goes on. */
export const BACKLOG_HIGH = 1024 * 1024;
export const BACKLOG_LOW = 256 * 1024;

export interface ScreenSnapshot {
  data: string;
  cols: number;
  rows: number;
}

export class ScreenState {
  private readonly term: Headless.Terminal;
  private readonly serializer: Serialize.SerializeAddon;
  private pendingBytes = 0;
  /** Writes (output, or a call waiting its turn) not yet done by the parser. */
  private outstanding = 0;
  private backlogged = false;
  private disposed = false;
  /** Counts parsed writes and resizes: a snapshot taken at the same count is the same. */
  private version = 0;
  private cached: { version: number; scrollback: number | undefined; snap: ScreenSnapshot } | undefined;

  /** `onBacklog(true)` when more than BACKLOG_HIGH waits to be parsed, `(false)` once below LOW. */
  constructor(
    cols: number,
    rows: number,
    private readonly onBacklog: (backlogged: boolean) => void = () => {},
    scrollback = SCREEN_SCROLLBACK,
  ) {
    this.term = new Terminal({ cols, rows, scrollback, allowProposedApi: true });
    this.serializer = new SerializeAddon();
    // The addon's typings name the browser Terminal; the headless one has the same API.
    this.term.loadAddon(this.serializer as unknown as Headless.ITerminalAddon);
  }

  /** Output bytes written and not yet parsed. */
  get pending(): number {
    return this.pendingBytes;
  }

  write(bytes: Uint8Array): void {
    if (this.disposed) return;
    const n = bytes.byteLength;
    this.pendingBytes += n;
    this.outstanding++;
    if (!this.backlogged && this.pendingBytes > BACKLOG_HIGH) {
      this.backlogged = true;
      this.onBacklog(true);
    }
    this.term.write(bytes, () => {
      this.version++;
      this.outstanding--;
      this.pendingBytes -= n;
      if (this.backlogged && this.pendingBytes < BACKLOG_LOW) {
        this.backlogged = false;
        this.onBacklog(false);
      }
    });
  }

  /** Resizes in order with the output: after what was written before, before what comes after. */
  resize(cols: number, rows: number): void {
    this.whenParsed(() => {
      this.version++;
      this.term.resize(cols, rows);
    });
  }

  /** Calls `fn` once everything written so far is parsed (at once when nothing waits). */
  whenParsed(fn: () => void): void {
    if (this.disposed) return;
    if (this.outstanding === 0) return fn();
    this.outstanding++;
    this.term.write('', () => {
      this.outstanding--;
      fn();
    });
  }

  /**
   * The screen and its scrollback (all of it, or its last `scrollback` lines), as escape
   * sequences (of what has been parsed). Made once per state: the many followers of one run
   * that catch up together (an audience) share it.
   */
  snapshot(scrollback?: number): ScreenSnapshot {
    const c = this.cached;
    if (c && c.version === this.version && c.scrollback === scrollback) return c.snap;
    const data = this.serializer.serialize(scrollback === undefined ? undefined : { scrollback });
    const snap = { data, cols: this.term.cols, rows: this.term.rows };
    this.cached = { version: this.version, scrollback, snap };
    return snap;
  }

  /** The visible rows as plain text, trailing blanks trimmed (of what has been parsed). */
  text(): string {
    const buf = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < this.term.rows; y++) lines.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
    return lines.join('\n').trimEnd();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.term.dispose();
  }
}
