// Writes a session's keyboard input into its PTY without ever blocking or spinning the main
// thread. node-pty writes through a tty stream on the master fd; libuv treats a pty master
// as a blocking tty and retries EAGAIN in a tight loop inside that one write call, so a paste
// larger than the line discipline's buffer froze the whole server until the program read
// it — forever, when it never did. (Upstream node-pty moved to its own fs.write queue with a
// setImmediate retry, microsoft/node-pty#831, and then paced that retry, #956.)
//
// Here the non-blocking master fd is written directly, from the main thread, in bounded
// chunks: a write either takes some bytes or fails at once with EAGAIN. What the PTY does not
// take waits in a bounded queue and is retried with a growing delay; input beyond the queue
// is refused, and the caller says so on the terminal.
import { writeSync } from 'node:fs';

/** Bytes per write(2): the size of the line discipline's own buffer. */
export const INPUT_CHUNK = 4096;
/** Bytes written in one turn of the event loop before yielding to everything else. */
export const INPUT_PER_TURN = 64 * 1024;
/** Most input one session may have waiting for its program: a 2 MiB paste goes through. */
export const MAX_QUEUED_INPUT = 2 * 1024 * 1024;
/** The retry after EAGAIN starts here and doubles up to MAX_RETRY_MS while nothing is taken. */
export const FIRST_RETRY_MS = 1;
export const MAX_RETRY_MS = 64;
/** What a queued piece costs beyond its bytes, so a flood of 1-byte frames is bounded too. */
const ENTRY_COST = 64;

export interface PtyInputStats {
  /** Bytes the PTY has taken. */
  written: number;
  /** Bytes waiting. */
  queued: number;
  /** write(2) calls that found the PTY full. */
  eagain: number;
}

export class PtyInputWriter {
  private queue: Buffer[] = [];
  private head = 0;
  private headOffset = 0;
  private queuedBytes = 0;
  private queuedCost = 0;
  private retryMs = FIRST_RETRY_MS;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private closed = false;
  private full = false;
  private readonly counts = { written: 0, eagain: 0 };

  constructor(
    private readonly fd: number,
    private readonly maxQueued = MAX_QUEUED_INPUT,
  ) {}

  get stats(): PtyInputStats {
    return { written: this.counts.written, queued: this.queuedBytes, eagain: this.counts.eagain };
  }

  /**
   * Queues `data` after everything before it. Returns false, and queues nothing of it, when
   * it does not fit in the queue (or the writer is closed): the caller tells the user.
   */
  write(data: Uint8Array): boolean {
    if (this.closed) return false;
    if (data.byteLength === 0) return true;
    if (this.queuedCost + data.byteLength + ENTRY_COST > this.maxQueued) return false;
    this.queue.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    this.queuedBytes += data.byteLength;
    this.queuedCost += data.byteLength + ENTRY_COST;
    if (!this.timer && !this.immediate) this.pump();
    return true;
  }

  /** True while the PTY refuses input: its last write found it full and nothing went in since. */
  get isFull(): boolean {
    return this.full;
  }

  /** Drops everything that waits (for an interrupt key); returns how many bytes that was. */
  discard(): number {
    const dropped = this.queuedBytes;
    this.drop();
    this.cancel();
    this.retryMs = FIRST_RETRY_MS;
    return dropped;
  }

  /** Stops for good and drops what waits: call it before the fd can be closed or reused. */
  close(): void {
    this.closed = true;
    this.cancel();
    this.drop();
  }

  private drop(): void {
    this.queue = [];
    this.head = this.headOffset = this.queuedBytes = this.queuedCost = 0;
  }

  private cancel(): void {
    clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
  }

  private pump(): void {
    this.timer = this.immediate = undefined;
    let budget = INPUT_PER_TURN;
    while (!this.closed && this.queuedBytes > 0 && budget > 0) {
      const piece = this.queue[this.head]!;
      const length = Math.min(INPUT_CHUNK, piece.byteLength - this.headOffset, budget);
      let n: number;
      try {
        n = writeSync(this.fd, piece, this.headOffset, length);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          this.counts.eagain++;
          this.full = true;
          this.timer = setTimeout(() => this.pump(), this.retryMs);
          this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
          return;
        }
        // EIO, EBADF: the terminal is gone; nothing more can be delivered.
        this.close();
        return;
      }
      this.retryMs = FIRST_RETRY_MS;
      this.full = false;
      this.counts.written += n;
      this.queuedBytes -= n;
      this.queuedCost -= n;
      budget -= n;
      this.headOffset += n;
      if (this.headOffset === piece.byteLength) {
        this.queuedCost -= ENTRY_COST;
        this.head++;
        this.headOffset = 0;
      }
    }
    // Forget written pieces now and then, without shifting the array on every write.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    // More to write and the PTY still takes it: go on after other work has had its turn.
    if (!this.closed && this.queuedBytes > 0) this.immediate = setImmediate(() => this.pump());
  }
}
