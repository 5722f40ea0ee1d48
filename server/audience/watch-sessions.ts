// One socket's watches (an audience page's terminals, the speaker view's pane): each is a
// follower of the presenter's run in its terminal, under the session id the page chose. A
// follower never sets the run's pace: it acknowledges what it drew, and one that falls behind
// (its window full, its socket congested) skips output and is sent the current screen once it
// has caught up (server/run/demo-run.ts). Read-only by construction: nothing here writes to,
// resizes or stops a run.
import type { ServerMessage } from '../../shared/wire.js';
import type { DemoRun } from '../run/demo-run.js';
import { HIGH_WATER, type AckResult } from '../run/run-consumer.js';
import type { ConsumerEvent } from '../run/run-events.js';
import { snapshotOf } from '../run/run-snapshot.js';
import type { RunWatcher, WatchHub } from './watch-hub.js';
import type { Fanouts, FanoutMember, RunFanout } from './run-fanout.js';

/** Watches one socket may hold: a page mounts the terminals of a few slides at once. */
export const MAX_WATCHES = 16;

/** How a socket sends: JSON control messages (`droppable`: a reading a newer one supersedes) and output frames. */
export interface WatchOutput {
  send(msg: ServerMessage, droppable?: boolean): void;
  /** An output frame, encoded (opcode, session, payload). */
  frame(frame: Uint8Array): void;
  readonly congested: boolean;
}

class Watch implements RunWatcher, FanoutMember {
  private run: DemoRun | undefined;
  private fanout: RunFanout | undefined;
  /** Output sent and not yet acknowledged as drawn: past HIGH_WATER it is skipped until it has caught up. */
  private unacked = 0;

  constructor(
    readonly session: number,
    readonly terminal: string,
    private readonly out: WatchOutput,
    private readonly fanouts: Fanouts,
  ) {}

  attach(run: DemoRun): void {
    this.detach();
    this.run = run;
    this.unacked = 0;
    try {
      this.fanout = this.fanouts.join(run, this);
    } catch (err) {
      // It ended meanwhile (or keeps no screen): nothing to follow.
      this.run = undefined;
      this.out.send({ type: 'idle', session: this.session, terminal: this.terminal });
      if (!(err instanceof Error && /ended|screen state/.test(err.message))) throw err;
    }
  }

  get congested(): boolean {
    return this.out.congested || this.unacked > HIGH_WATER;
  }

  joined(screen: { data: string; cols: number; rows: number } | undefined): void {
    if (!this.run) return;
    if (screen) this.unacked += Buffer.byteLength(screen.data);
    this.out.send({ type: 'attached', session: this.session, snapshot: snapshotOf(this.run, { screen }), readOnly: true });
  }

  output(bytes: Buffer, frame: (session: number) => Uint8Array): void {
    this.unacked += bytes.byteLength;
    this.out.frame(frame(this.session));
  }

  event(e: Exclude<ConsumerEvent, { type: 'output' } | { type: 'screen' }>): void {
    const id = this.session;
    switch (e.type) {
      case 'metrics':
        return this.out.send({ type: 'metrics', session: id, ...e.reading }, true);
      case 'marker':
        return this.out.send({ type: 'marker', session: id, label: e.label });
      case 'exit':
        this.fanout = undefined;
        this.run = undefined;
        return this.out.send({ type: 'exit', session: id, ...e.exit });
    }
  }

  ack(bytes: number): AckResult {
    if (bytes > this.unacked) return { ok: false, unacknowledged: this.unacked };
    this.unacked -= bytes;
    return { ok: true };
  }

  detach(): void {
    this.run = undefined;
    const f = this.fanout;
    this.fanout = undefined;
    f?.remove(this);
  }
}

export class WatchSessions {
  private readonly watches = new Map<number, Watch>();

  constructor(
    private readonly hub: WatchHub,
    private readonly out: WatchOutput,
    private readonly max = MAX_WATCHES,
  ) {}

  has(session: number): boolean {
    return this.watches.has(session);
  }

  get size(): number {
    return this.watches.size;
  }

  /** Starts a watch; returns why not, if it cannot. */
  watch(session: number, terminal: string): string | undefined {
    if (this.watches.has(session)) return `session ${session} already watches a terminal; unwatch it first or use a new id`;
    if (this.watches.size >= this.max) return `this page already watches ${this.watches.size} terminals, the most one page may; unwatch one first`;
    const w = new Watch(session, terminal, this.out, this.hub.fanouts);
    this.watches.set(session, w);
    this.hub.add(terminal, w);
    const run = this.hub.runOf(terminal);
    if (run) w.attach(run);
    else this.out.send({ type: 'idle', session, terminal });
    return undefined;
  }

  unwatch(session: number): void {
    const w = this.watches.get(session);
    if (!w) return;
    this.watches.delete(session);
    this.hub.remove(w.terminal, w);
    w.detach();
  }

  /** Output the page drew; acknowledging more than it was sent is refused. */
  ack(session: number, bytes: number): AckResult {
    return this.watches.get(session)?.ack(bytes) ?? { ok: true };
  }

  /** (A congested socket is skipped by the fan-outs, and sent the screen once it drains.) */
  setCongested(_congested: boolean): void {}

  close(): void {
    for (const session of [...this.watches.keys()]) this.unwatch(session);
  }
}
