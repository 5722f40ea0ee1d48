// A run's output to one page, in fewer and larger frames. A PTY is read a few KiB at a time, and
// every frame costs the page a message, a terminal write and an acknowledgement, so during a
// flood the reads of a few milliseconds go out as one frame. Output after a quiet spell (an
// echoed key, a prompt) goes at once: the first read opens a window of `windowMs`, what comes
// within it is sent when it closes (or at `maxFrameBytes`), and a window that closes with
// nothing new ends the batching until the next output. What waits here is at most one frame.

export interface OutputBatching {
  /** How long reads are gathered after the one that was sent at once; 0: every read is a frame. */
  windowMs: number;
  /** A frame is sent at once when it reaches this size. */
  maxFrameBytes: number;
}

export const DEFAULT_BATCHING: OutputBatching = { windowMs: 4, maxFrameBytes: 64 * 1024 };
export const NO_BATCHING: OutputBatching = { windowMs: 0, maxFrameBytes: 0 };

export class OutputBatcher {
  private parts: Uint8Array[] = [];
  private size = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Frames sent and reads they carried, for the bench. */
  readonly stats = { frames: 0, reads: 0 };

  constructor(
    private readonly send: (frame: Uint8Array) => void,
    private readonly opts: OutputBatching = DEFAULT_BATCHING,
  ) {}

  push(bytes: Uint8Array): void {
    this.stats.reads++;
    if (this.opts.windowMs <= 0) return this.emit(bytes);
    if (!this.timer) {
      // Quiet until now: this read goes at once, and the window for what follows opens.
      this.emit(bytes);
      this.arm();
      return;
    }
    this.parts.push(bytes);
    this.size += bytes.byteLength;
    if (this.size >= this.opts.maxFrameBytes) this.flush();
  }

  /** Sends what waits now (before any other message of the run, so the order holds). */
  flush(): void {
    if (this.size === 0) return;
    const frame = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    this.emit(frame);
  }

  /** Sends what waits and stops the window (the run ended, or the page left). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.size === 0) return; // nothing came: the next read goes at once
      this.flush();
      this.arm();
    }, this.opts.windowMs);
  }

  private emit(frame: Uint8Array): void {
    this.stats.frames++;
    this.send(frame);
  }
}
