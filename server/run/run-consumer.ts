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
  /** Output bytes given to this consumer, snapshots of the screen sent, output bytes skipped. */
  readonly stats = { deliveredBytes: 0, screens: 0, skippedBytes: 0 };

  private readonly high: number;
  private readonly low: number;

  constructor(
    readonly role: ConsumerRole,
    private readonly sink: RunSink,
    private readonly host: ConsumerHost,
    /** Its own window, when not the default (a fan-out to an audience takes a small one). */
    window?: { high: number; low: number },
  ) {
    this.high = window?.high ?? HIGH_WATER;
    this.low = window?.low ?? LOW_WATER;
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Bytes given to this consumer and not yet acknowledged. */
  get unacknowledged(): number {
    return this.unacked;
  }

  /** Its window is full (until it drops below LOW_WATER) or its transport is congested. */
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
    if (this.full && this.unacked < this.low) {
      this.full = false;
      this.host.flowChanged(this);
    }
    return { ok: true };
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
