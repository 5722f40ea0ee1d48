// One consumer's subscription to a DemoRun, with its own flow-control window: the output it
// was given and has not acknowledged yet (drawn, written, recorded), and whether its transport
// is full. The run decides what that means for its role:
// - the pace-setter (the page that started the run, the CLI's terminal, the recorder): above
//   HIGH_WATER unacknowledged bytes, or with a full transport, the PTY is paused; below
//   LOW_WATER and drained it goes on;
// - a follower (a mirror, an audience page): never pauses the PTY. Once its window is full or
//   its transport congested it is *behind*: it gets no output until it has caught up, then the
//   current screen instead of what it missed, and the output from there on.
import type { ConsumerEvent } from './run-events.js';

export const HIGH_WATER = 128 * 1024;
export const LOW_WATER = 16 * 1024;

/** A consumer's window: above `high` unacknowledged bytes it is full, below `low` it has room again. */
export interface FlowWindow {
  high: number;
  low: number;
  /**
   * The window grows with the consumer's pace, to what it acknowledges in `ms`, up to `max`
   * bytes (`low` keeps its ratio to `high`): a fast page gets more in flight, a slow one no more
   * than it draws in that time, so what it has yet to draw after Ctrl-C stays short.
   */
  grow?: { ms: number; max: number };
}

/** How often the pace of acknowledgements is measured, and how much a new reading counts. */
const PACE_PERIOD_MS = 200;
const PACE_WEIGHT = 0.5;
/** The window of a consumer that names none (a follower, the CLI's terminal, the recorder); a page's is PAGE_WINDOW. */
export const DEFAULT_WINDOW: FlowWindow = { high: HIGH_WATER, low: LOW_WATER };

export type ConsumerRole = 'pace-setter' | 'follower';
/** joining: waits for the screen before it gets live events; behind: a follower skipping output. */
export type ConsumerState = 'joining' | 'live' | 'behind' | 'closed';
export type AckResult = { ok: true } | { ok: false; unacknowledged: number };

/** Where a consumer's events go. Output and screens count against its window until acknowledged. */
export type RunSink = (event: ConsumerEvent) => void;

/** What the run does when a consumer's window or transport changes, or it leaves. */
export interface ConsumerHost {
  flowChanged(consumer: RunConsumer): void;
  leave(consumer: RunConsumer): void;
  /** Its sink threw: a bug of the consumer's, which must not end the run nor the others. */
  sinkFailed(consumer: RunConsumer, err: unknown): void;
}

export class RunConsumer {
  private unacked = 0;
  private full = false;
  private congested = false;
  /** @internal the run's bookkeeping */
  state: ConsumerState = 'live';
  /** @internal events held while joining, delivered after the screen */
  held: ConsumerEvent[] = [];
  /** @internal why it waits for the screen */
  joinReason: 'join' | 'resync' = 'join';
  /** Bytes acknowledged per ms, smoothed (while a window grows with it). */
  private pace = 0;
  private paceFrom = performance.now();
  private paceBytes = 0;
  private high: number;
  private low: number;
  /** Output bytes given to this consumer, snapshots of the screen sent, output bytes skipped. */
  readonly stats = { deliveredBytes: 0, screens: 0, skippedBytes: 0 };

  constructor(
    readonly role: ConsumerRole,
    private readonly sink: RunSink,
    private readonly host: ConsumerHost,
    private readonly window: FlowWindow = DEFAULT_WINDOW,
  ) {
    this.high = window.high;
    this.low = window.low;
  }

  /** Its window now: `high` and `low` in bytes (they grow with its pace if its window says so). */
  get currentWindow(): { high: number; low: number } {
    return { high: this.high, low: this.low };
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Bytes given to this consumer and not yet acknowledged. */
  get unacknowledged(): number {
    return this.unacked;
  }

  /** Its window is full (until it drops below its low mark) or its transport is congested. */
  get blocked(): boolean {
    return this.full || this.congested;
  }

  get windowFull(): boolean {
    return this.full;
  }

  get transportCongested(): boolean {
    return this.congested;
  }

  /** The consumer has drawn `bytes` more bytes; more than it was given is refused. */
  ack(bytes: number): AckResult {
    if (this.state === 'closed') return { ok: true };
    if (bytes > this.unacked) return { ok: false, unacknowledged: this.unacked };
    this.unacked -= bytes;
    if (this.window.grow) this.measurePace(bytes, this.window.grow);
    if (this.full && this.unacked < this.low) {
      this.full = false;
      this.host.flowChanged(this);
    }
    return { ok: true };
  }

  private measurePace(bytes: number, grow: { ms: number; max: number }): void {
    this.paceBytes += bytes;
    const now = performance.now();
    const elapsed = now - this.paceFrom;
    if (elapsed < PACE_PERIOD_MS) return;
    this.pace = this.pace * (1 - PACE_WEIGHT) + (this.paceBytes / elapsed) * PACE_WEIGHT;
    this.paceFrom = now;
    this.paceBytes = 0;
    const { high, low } = this.window;
    this.high = Math.round(Math.min(grow.max, Math.max(high, this.pace * grow.ms)));
    this.low = Math.round((this.high * low) / high);
  }

  /** Its transport (a socket's queue, a terminal's write) is full, or has drained. */
  setCongested(congested: boolean): void {
    if (this.state === 'closed' || this.congested === congested) return;
    this.congested = congested;
    this.host.flowChanged(this);
  }

  /** Stops the subscription; the run goes on. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.held = [];
    this.host.leave(this);
  }

  /** @internal Hands an event to the sink, counting what it must acknowledge. */
  deliver(event: ConsumerEvent): void {
    if (this.state === 'closed') return;
    const n = event.type === 'output' ? event.bytes.byteLength : event.type === 'screen' ? Buffer.byteLength(event.data) : 0;
    if (n > 0) {
      this.unacked += n;
      this.stats.deliveredBytes += n;
      if (event.type === 'screen') this.stats.screens++;
      if (!this.full && this.unacked > this.high) {
        this.full = true;
        this.host.flowChanged(this);
      }
    }
    try {
      this.sink(event);
    } catch (err) {
      this.host.sinkFailed(this, err);
    }
  }
}
