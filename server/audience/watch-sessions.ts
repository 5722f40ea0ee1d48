// One socket's watches (an audience page's terminals, the speaker view's pane): each is a
// follower of the presenter's run in its terminal, under the session id the page chose. A
// follower never sets the run's pace: it acknowledges what it drew, and one that falls behind
// (its window full, its socket congested) skips output and is sent the current screen once it
// has caught up (server/run/demo-run.ts). Read-only by construction: nothing here writes to,
// resizes or stops a run.
import type { ServerMessage } from '../../shared/wire.js';
import type { DemoRun } from '../run/demo-run.js';
import type { AckResult, RunConsumer } from '../run/run-consumer.js';
import type { ConsumerEvent } from '../run/run-events.js';
import { snapshotOf } from '../run/run-snapshot.js';
import type { RunWatcher, WatchHub } from './watch-hub.js';

/** Watches one socket may hold: a page mounts the terminals of a few slides at once. */
export const MAX_WATCHES = 16;

/** How a socket sends: JSON control messages (`droppable`: a reading a newer one supersedes) and output frames. */
export interface WatchOutput {
  send(msg: ServerMessage, droppable?: boolean): void;
  output(session: number, bytes: Uint8Array | string): void;
  readonly congested: boolean;
}

class Watch implements RunWatcher {
  consumer: RunConsumer | undefined;
  private run: DemoRun | undefined;

  constructor(
    readonly session: number,
    readonly terminal: string,
    private readonly out: WatchOutput,
    private readonly onSinkError: (err: unknown) => void,
  ) {}

  attach(run: DemoRun): void {
    this.detach();
    this.run = run;
    let announced = false;
    const announce = (screen?: { data: string; cols: number; rows: number }) => {
      announced = true;
      this.out.send({ type: 'attached', session: this.session, snapshot: snapshotOf(run, screen), readOnly: true });
    };
    let consumer: RunConsumer;
    try {
      consumer = run.subscribe((e) => {
        if (this.run !== run) return;
        if (!announced) {
          // A run that printed something starts with its screen (DemoRun's join): the snapshot carries it.
          if (e.type === 'screen') return announce(e);
          announce();
        }
        this.forward(e);
      }, { role: 'follower' });
    } catch (err) {
      // It ended meanwhile (or keeps no screen): nothing to follow.
      this.run = undefined;
      this.out.send({ type: 'idle', session: this.session, terminal: this.terminal });
      if (!(err instanceof Error && /ended|screen state/.test(err.message))) this.onSinkError(err);
      return;
    }
    if (this.run !== run) return consumer.close();
    this.consumer = consumer;
    if (!announced && run.stats.outputBytes === 0) announce();
    if (this.out.congested) consumer.setCongested(true);
  }

  private forward(e: ConsumerEvent): void {
    const id = this.session;
    switch (e.type) {
      case 'output':
        return this.out.output(id, e.bytes);
      case 'screen': // a resync: ESC c and the screen, in place of what it skipped
        return this.out.output(id, e.data);
      case 'metrics':
        return this.out.send({ type: 'metrics', session: id, ...e.reading }, true);
      case 'marker':
        return this.out.send({ type: 'marker', session: id, label: e.label });
      case 'exit':
        this.consumer = undefined;
        this.run = undefined;
        return this.out.send({ type: 'exit', session: id, ...e.exit });
    }
  }

  detach(): void {
    this.run = undefined;
    const c = this.consumer;
    this.consumer = undefined;
    c?.close();
  }
}

export class WatchSessions {
  private readonly watches = new Map<number, Watch>();

  constructor(
    private readonly hub: WatchHub,
    private readonly out: WatchOutput,
    private readonly onSinkError: (err: unknown) => void,
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
    const w = new Watch(session, terminal, this.out, this.onSinkError);
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
    return this.watches.get(session)?.consumer?.ack(bytes) ?? { ok: true };
  }

  setCongested(congested: boolean): void {
    for (const w of this.watches.values()) w.consumer?.setCongested(congested);
  }

  close(): void {
    for (const session of [...this.watches.keys()]) this.unwatch(session);
  }
}
