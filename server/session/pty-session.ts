// One running demo: a real PTY running exactly a manifest's argv, with flow control,
// a wall-clock limit, and a stop that ends its whole process tree.
import pty from '@lydell/node-pty';
import type { ExitReason } from '../protocol/protocol.js';
import { killTree } from './process-tree.js';
import { demoInstance } from '../instance/demo-instance.js';

/** Above this many unacknowledged bytes the PTY is paused; below LOW_WATER it resumes. */
export const HIGH_WATER = 128 * 1024;
export const LOW_WATER = 16 * 1024;

export interface PtySessionOptions {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
  timeLimitMs: number;
  onOutput: (data: Buffer) => void;
  onExit: (exit: { code: number | null; signal: string | null; reason: ExitReason }) => void;
}

const SIGNAL_NAMES: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 15: 'SIGTERM' };

export class PtySession {
  readonly pid: number;
  private readonly term: pty.IPty;
  private unacked = 0;
  private paused = false;
  private stopReason: ExitReason | undefined;
  private ended = false;
  private readonly timer: NodeJS.Timeout;
  /** Resolves once the PTY's process has exited and its tree is gone. */
  readonly done: Promise<void>;

  constructor(private readonly opts: PtySessionOptions) {
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
    tracking.started(this.pid);
    this.term.onData((data) => {
      const bytes = data as unknown as Buffer;
      this.unacked += bytes.byteLength;
      if (!this.paused && this.unacked > HIGH_WATER) {
        this.paused = true;
        this.term.pause();
      }
      opts.onOutput(bytes);
    });
    let resolveDone!: () => void;
    this.done = new Promise((r) => (resolveDone = r));
    this.term.onExit(({ exitCode, signal }) => {
      clearTimeout(this.timer);
      // The leader is gone; make sure nothing it started lingers.
      void killTree(this.pid, 100).then(() => {
        tracking.ended(this.pid);
        this.ended = true;
        const sig = signal ? (SIGNAL_NAMES[signal] ?? `signal ${signal}`) : null;
        opts.onExit({ code: sig ? null : exitCode, signal: sig, reason: this.stopReason ?? 'exited' });
        resolveDone();
      });
    });
    this.timer = setTimeout(() => void this.stop('timeout'), opts.timeLimitMs);
    this.timer.unref();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get unacknowledged(): number {
    return this.unacked;
  }

  write(data: Uint8Array | string): void {
    if (this.ended) return;
    // Input goes through even while output is paused, so Ctrl-C acts at once.
    // With encoding: null the PTY takes raw bytes; its typings only name strings.
    this.term.write((typeof data === "string" ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)) as unknown as string);
  }

  resize(cols: number, rows: number): void {
    if (this.ended) return;
    try {
      this.term.resize(cols, rows);
    } catch {
      // the PTY closed between the check and the call
    }
  }

  /** The client has written `bytes` more bytes to its screen. */
  ack(bytes: number): void {
    this.unacked = Math.max(0, this.unacked - bytes);
    if (this.paused && this.unacked < LOW_WATER) {
      this.paused = false;
      this.term.resume();
    }
  }

  /** Ends the whole process tree; `done` resolves when it is gone. */
  stop(reason: ExitReason = 'stopped'): Promise<void> {
    if (!this.ended && this.stopReason === undefined) {
      this.stopReason = reason;
      // A paused PTY could hold back the exit notification: let it drain.
      if (this.paused) this.term.resume();
      void killTree(this.pid);
    }
    return this.done;
  }
}
