// One subscription to a run on behalf of everyone who watches it (the audience's pages, the
// speaker view): the run sees a single follower, whatever the number of viewers, and viewers
// never cost the presenter more than one consumer does.
// - Output is gathered and sent to every viewer at most TICK_MS apart, one frame each.
// - The fan-out's own window is small: in a flood it falls behind at once, skips what it
//   cannot pass on, and asks again at most FLOOD_RESYNC_MS apart, getting the screen (ESC c +
//   the screen) in place of what it skipped. So a flood costs each viewer a few screens a
//   second, not the flood.
// - A viewer whose socket is congested is skipped and marked stale; it gets the next screen.
// - A viewer joining mid-run waits for a screen (asked for at once), which is its snapshot.
import { Op, encodeFrame } from '../../shared/wire.js';
import type { DemoRun } from '../run/demo-run.js';
import type { RunConsumer } from '../run/run-consumer.js';
import type { ConsumerEvent, ScreenEvent } from '../run/run-events.js';

export const TICK_MS = 100;
export const FLOOD_RESYNC_MS = 500;
/** The fan-out's window: what may be sent to viewers in one tick before it counts as a flood. */
export const FANOUT_WINDOW = { high: 16 * 1024, low: 4 * 1024 };

export interface FanoutMember {
  /** The run's screen now (the snapshot to start from); the empty screen when nothing was printed yet. */
  joined(screen: Pick<ScreenEvent, 'data' | 'cols' | 'rows'> | undefined): void;
  /** Output (or ESC c + a screen), one frame; `frame` encodes it for a session, once per session id. */
  output(bytes: Buffer, frame: (session: number) => Uint8Array): void;
  /** metrics, marker, exit: as they come. */
  event(e: Exclude<ConsumerEvent, { type: 'output' } | { type: 'screen' }>): void;
  readonly congested: boolean;
}

interface Member {
  m: FanoutMember;
  /** Waits for a screen: just joined (needs its snapshot) or skipped while congested. */
  needs: 'join' | 'screen' | undefined;
}

export class RunFanout {
  private readonly members = new Map<FanoutMember, Member>();
  private readonly consumer: RunConsumer;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingIsScreen = false;
  private timer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly run: DemoRun,
    private readonly onEmpty: () => void,
  ) {
    this.consumer = run.subscribe((e) => this.take(e), { role: 'follower', window: FANOUT_WINDOW });
  }

  get size(): number {
    return this.members.size;
  }

  add(m: FanoutMember): void {
    if (this.ended) return;
    if (this.run.stats.outputBytes === 0 && this.pendingBytes === 0) {
      this.members.set(m, { m, needs: undefined });
      m.joined(undefined);
      return;
    }
    this.members.set(m, { m, needs: 'join' });
    this.askForScreen(0);
  }

  remove(m: FanoutMember): void {
    if (!this.members.delete(m)) return;
    if (this.members.size === 0) this.close();
  }

  private take(e: ConsumerEvent): void {
    switch (e.type) {
      case 'output':
        if (this.pendingIsScreen || this.pendingBytes > 0 || this.timer) this.pending.push(e.bytes);
        else this.pending = [e.bytes];
        this.pendingBytes += e.bytes.byteLength;
        return this.schedule();
      case 'screen': {
        // In place of everything before it: a full reset, then the screen.
        this.pending = [Buffer.from(e.data)];
        this.pendingBytes = this.pending[0]!.byteLength;
        this.pendingIsScreen = true;
        this.screenDims = { cols: e.cols, rows: e.rows, data: e.data };
        // Newcomers start from it; those that skipped catch up with it. (Not synchronously: a
        // join screen may come while the fan-out is still subscribing.)
        queueMicrotask(() => this.flush());
        return;
      }
      case 'exit':
        this.flush();
        for (const { m, needs } of this.members.values()) if (needs !== 'join') m.event(e);
        this.ended = true;
        this.close();
        return;
      default:
        for (const { m, needs } of this.members.values()) if (needs !== 'join') m.event(e);
    }
  }

  private screenDims: { cols: number; rows: number; data: string } | undefined;

  private schedule(): void {
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, TICK_MS);
      this.timer.unref();
    }
  }

  private flush(): void {
    if (!this.consumer || this.ended && this.members.size === 0) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pendingBytes === 0 && !this.pendingIsScreen) return;
    const payload = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    const isScreen = this.pendingIsScreen;
    const screen = this.screenDims;
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingIsScreen = false;
    let stale = false;
    // Most viewers' pages give a terminal the same session id: each frame is made once.
    const frames = new Map<number, Uint8Array>();
    const frame = (session: number) => {
      let f = frames.get(session);
      if (!f) frames.set(session, (f = encodeFrame(Op.output, session, payload)));
      return f;
    };
    for (const member of this.members.values()) {
      if (member.needs === 'join') {
        if (!isScreen || !screen) continue;
        member.needs = undefined;
        member.m.joined(screen);
        continue;
      }
      if (member.needs === 'screen' && !isScreen) continue;
      if (member.m.congested) {
        member.needs = 'screen';
        stale = true;
        continue;
      }
      member.needs = undefined;
      member.m.output(payload, frame);
    }
    // Passed on: the run may send more. Behind (a flood skipped meanwhile), the screen it
    // will send for it is asked for at most FLOOD_RESYNC_MS apart.
    const behind = this.consumer.state === 'behind';
    const n = this.consumer.unacknowledged;
    if (n > 0) {
      if (behind) {
        clearTimeout(this.resyncTimer);
        this.resyncTimer = setTimeout(() => this.consumer.ack(this.consumer.unacknowledged), FLOOD_RESYNC_MS);
        this.resyncTimer.unref();
      } else this.consumer.ack(n);
    }
    if (stale) this.askForScreen(FLOOD_RESYNC_MS);
  }

  private askForScreen(afterMs: number): void {
    if (this.resyncTimer && afterMs > 0) return;
    clearTimeout(this.resyncTimer);
    const ask = () => {
      this.resyncTimer = undefined;
      if (this.consumer.state === 'behind') this.consumer.ack(this.consumer.unacknowledged);
      else this.run.resync(this.consumer);
    };
    if (afterMs === 0) return ask();
    this.resyncTimer = setTimeout(ask, afterMs);
    this.resyncTimer.unref();
  }

  private close(): void {
    clearTimeout(this.timer);
    clearTimeout(this.resyncTimer);
    this.consumer.close();
    this.members.clear();
    this.onEmpty();
  }
}

/** The fan-out of each run being watched, made for its first viewer and gone with its last. */
export class Fanouts {
  private readonly byRun = new Map<DemoRun, RunFanout>();

  join(run: DemoRun, m: FanoutMember): RunFanout {
    let f = this.byRun.get(run);
    if (!f) {
      f = new RunFanout(run, () => {
        if (this.byRun.get(run) === f) this.byRun.delete(run);
      });
      this.byRun.set(run, f);
    }
    f.add(m);
    return f;
  }

  get count(): number {
    return this.byRun.size;
  }
}
