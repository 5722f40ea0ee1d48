// One PTY running exactly a manifest's argv: its output with pause and resume, its keyboard
// input through a non-blocking writer, and a stop that ends its whole process tree. What is
// done with the output, and when to pause, is the DemoRun's business (server/run/).
import pty from '@lydell/node-pty';
import type { ExitReason } from '../../shared/wire.js';
import { isAlive, killTree } from './process-tree.js';
import { PtyInputWriter } from './pty-input-writer.js';
import { demoInstance } from '../instance/demo-instance.js';

/**
 * Why output is held back: the run's pace-setter has not drawn it yet ('acks'), its transport
 * is full ('socket'), or the run's screen state has not parsed it yet ('screen').
 */
export type HoldReason = 'acks' | 'socket' | 'screen';

/**
 * While output is held, how often to look whether the program has exited: node-pty reports an
 * exit only once it has read the terminal to its end, and destroys the terminal — what the
 * program wrote last included — 200 ms after the exit if it has not. So a program that ends
 * while its output is held is read to its end at once.
 */
const EXIT_WATCH_MS = 25;

/** Keys the line discipline turns into signals: they go ahead of a pending paste. */
const INTERRUPTS = new Map<number, NodeJS.Signals>([
  [0x03, 'SIGINT'], // Ctrl-C
  [0x1c, 'SIGQUIT'], // Ctrl-\
]);

export interface PtySessionOptions {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
  onOutput: (data: Buffer) => void;
  onExit: (exit: { code: number | null; signal: string | null; reason: ExitReason }) => void;
  /** An error of the PTY itself (not of the program): logged, the session ends as usual. */
  onPtyError?: (err: Error) => void;
}

/** `dropped`: pending input an interrupt discarded. Not ok: the input queue was full. */
export type WriteResult = { ok: true; dropped?: number } | { ok: false; queued: number };

const SIGNAL_NAMES: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 15: 'SIGTERM' };

/** node-pty's Unix terminal has these at run time; its typings leave them out. */
interface UnixPty {
  fd: number;
  on(event: 'close' | 'error', listener: (err?: Error) => void): void;
}

export class PtySession {
  readonly pid: number;
  private readonly term: pty.IPty;
  private readonly input: PtyInputWriter;
  private readonly holds = new Set<HoldReason>();
  private exitWatch: NodeJS.Timeout | undefined;
  /** The program has exited: its last output is read whatever holds it. */
  private draining = false;
  private stopReason: ExitReason | undefined;
  /** A stop's own end of the tree (it saw the tree before the leader died). */
  private stopping: Promise<void> = Promise.resolve();
  private ended = false;
  /** Resolves once the PTY's process has exited and its tree is gone. */
  readonly done: Promise<void>;

  constructor(opts: PtySessionOptions) {
    const [file, ...args] = opts.argv;
    const tracking = demoInstance(); // a marker in the env, so a crash of ours leaves nothing behind
    this.term = pty.spawn(file!, args, {
      name: 'xterm-256color',
      cols: opts.cols,
      rows: opts.rows,
      cwd: opts.cwd,
      env: { ...opts.env, ...tracking.env },
      encoding: null, // raw bytes: the browser's terminal decodes UTF-8 itself, even split across frames
    });
    this.pid = this.term.pid;
    const unix = this.term as unknown as UnixPty;
    if (typeof unix.fd !== 'number') {
      this.term.kill('SIGKILL');
      throw new Error('this platform’s PTY has no file descriptor to write input to (Linux and macOS are supported)');
    }
    this.input = new PtyInputWriter(unix.fd);
    // The library closes the master fd when the terminal closes: stop writing before the
    // number can be reused by another file.
    unix.on('close', () => this.input.close());
    // With a listener of ours the library reports a PTY error instead of throwing it.
    unix.on('error', (err) => {
      if (err && !/EAGAIN|EIO/.test((err as NodeJS.ErrnoException).code ?? '')) opts.onPtyError?.(err);
    });
    tracking.started(this.pid);
    this.term.onData((data) => opts.onOutput(data as unknown as Buffer));
    let resolveDone!: () => void;
    this.done = new Promise((r) => (resolveDone = r));
    this.term.onExit(({ exitCode, signal }) => {
      clearInterval(this.exitWatch);
      this.input.close();
      // The leader is gone; make sure nothing it started lingers. The exit is reported once
      // every process is gone, those a stop found before the leader died included.
      void Promise.all([killTree(this.pid, 100), this.stopping]).then(() => {
        tracking.ended(this.pid);
        this.ended = true;
        const sig = signal ? (SIGNAL_NAMES[signal] ?? `signal ${signal}`) : null;
        opts.onExit({ code: sig ? null : exitCode, signal: sig, reason: this.stopReason ?? 'exited' });
        resolveDone();
      });
    });
  }

  get isPaused(): boolean {
    return this.holds.size > 0;
  }

  /** Bytes of input taken by the PTY, waiting for it, and full-PTY retries so far. */
  get inputStats(): PtyInputWriter['stats'] {
    return this.input.stats;
  }

  /**
   * Queues keyboard input for the program, in order. Input goes through even while output
   * is paused, and an interrupt key goes ahead of a pending paste, so Ctrl-C acts at once.
   */
  write(input: Uint8Array | string): WriteResult {
    if (this.ended || this.stopReason !== undefined) return { ok: true };
    const data = typeof input === 'string' ? Buffer.from(input) : input;
    const signal = data.byteLength === 1 ? INTERRUPTS.get(data[0]!) : undefined;
    if (signal && this.input.stats.queued > 0) {
      // The tty drops pending input when it turns the key into a signal; so does this. And
      // when the terminal's buffer is full the key cannot get in at all: then the signal goes
      // straight to the program's process group, as the line discipline would send it.
      const full = this.input.isFull;
      const dropped = this.input.discard();
      if (!full) this.input.write(data);
      else {
        try {
          process.kill(-this.pid, signal);
        } catch {
          // already gone
        }
      }
      return { ok: true, dropped };
    }
    if (this.input.write(data)) return { ok: true };
    return { ok: false, queued: this.input.stats.queued };
  }

  resize(cols: number, rows: number): void {
    if (this.ended) return;
    try {
      this.term.resize(cols, rows);
    } catch {
      // the PTY closed between the check and the call
    }
  }

  /** Holds output back for `reason` until it is released. */
  hold(reason: HoldReason): void {
    if (this.holds.has(reason)) return;
    this.holds.add(reason);
    if (this.holds.size === 1 && !this.ended && !this.draining) {
      this.term.pause();
      this.exitWatch = setInterval(() => {
        if (isAlive(this.pid)) return;
        this.draining = true;
        clearInterval(this.exitWatch);
        this.term.resume();
      }, EXIT_WATCH_MS);
    }
  }

  release(reason: HoldReason): void {
    if (!this.holds.delete(reason)) return;
    if (this.holds.size === 0 && !this.ended && !this.draining) {
      clearInterval(this.exitWatch);
      this.term.resume();
    }
  }

  /** Ends the whole process tree; `done` resolves when it is gone. */
  stop(reason: ExitReason = 'stopped'): Promise<void> {
    if (!this.ended && this.stopReason === undefined) {
      this.stopReason = reason;
      this.input.close();
      // A paused PTY could hold back the exit notification: let it drain.
      if (this.holds.size > 0) this.term.resume();
      this.stopping = killTree(this.pid);
    }
    return this.done;
  }
}
