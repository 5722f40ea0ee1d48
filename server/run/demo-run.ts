// One running demo: its PTY, its resource meter, its wall-clock limit, its step markers and its
// exit, as ONE stream of events (output, metrics, marker, exit) that any number of consumers
// follow, each with its own flow-control window (run-consumer.ts). One of them, the
// pace-setter, pauses the PTY; the others never do: one that falls behind is resynced from the
// screen state (screen-state.ts) when it has caught up. Knows nothing of WebSockets.
import { randomUUID } from 'node:crypto';
import type { ExitReason } from '../../shared/wire.js';
import type { LaunchPlan } from '../session/demo-launcher.js';
import { PtySession, type HoldReason, type WriteResult } from '../session/pty-session.js';
import { SessionMeter } from '../session/session-meter.js';
import { StepMarkers } from './step-markers.js';
import { MetricsHistory, type TimedReading } from './metrics-history.js';
import { RunConsumer, type ConsumerHost, type ConsumerRole, type FlowWindow, type RunSink } from './run-consumer.js';
import type { ConsumerEvent, MeterReading, RunEvent, RunExit, RunMarker } from './run-events.js';
import type { ScreenState } from './screen-state.js';

/** Written before a screen snapshot, so it can go into any terminal: ESC c, a full reset. */
export const SCREEN_RESET = '\x1bc';
/**
 * Scrollback lines a follower that fell behind is sent again with its screen: what it skipped
 * was a burst, and its own terminal still has what came before; a short resync catches up at once.
 */
export const RESYNC_SCROLLBACK = 100;

export interface DemoRunOptions {
  plan: LaunchPlan;
  cols: number;
  rows: number;
  /** Meter samples per second of the process under test; 0: no meter. */
  sampleHz: number;
  /**
   * Makes the run's screen state (server/run/screen-state.ts), so consumers can join mid-run
   * and followers can fall behind. Without one the run takes a pace-setter only.
   */
  screen?: (cols: number, rows: number, onBacklog: (backlogged: boolean) => void) => ScreenState;
  /** An error of the PTY itself (not of the program): the run ends as usual. */
  onPtyError?: (err: Error) => void;
  /** A consumer's sink threw: that consumer is dropped, the run and the others go on. */
  onConsumerError?: (err: unknown) => void;
}

export interface RunStats {
  /** Output bytes the run has emitted (the program's and the server's notices). */
  outputBytes: number;
  /** Output events it emitted: one per read of the PTY, and one per notice. */
  outputEvents: number;
  /** Times the PTY was paused, by why. */
  pauses: Record<HoldReason, number>;
  /** ms the PTY spent paused (for any reason). */
  heldMs: number;
  /** The most output that ever waited for the screen state to parse it, in bytes. */
  screenBacklogPeak: number;
}

/** How long a demo gets to finish by itself after an interrupt before its process tree is ended. */
export const INTERRUPT_GRACE_MS = 1000;

export class DemoRun implements ConsumerHost {
  /** Unguessable: names the run to whoever may watch or re-attach to it. */
  readonly id = randomUUID();
  readonly plan: LaunchPlan;
  readonly pid: number;
  /** Wall-clock start, ms since the epoch. */
  readonly startedAt = Date.now();
  /** Resolves with the exit once every consumer has been told and the process tree is gone. */
  readonly done: Promise<RunExit>;
  readonly stats: RunStats = { outputBytes: 0, outputEvents: 0, pauses: { acks: 0, socket: 0, screen: 0 }, heldMs: 0, screenBacklogPeak: 0 };

  private readonly t0 = performance.now();
  private cols: number;
  private rows: number;
  private readonly pty: PtySession;
  private readonly meter: SessionMeter | undefined;
  private readonly screen: ScreenState | undefined;
  private readonly consumers = new Set<RunConsumer>();
  private pacer: RunConsumer | undefined;
  private readonly holds = new Set<HoldReason>();
  private heldSince = 0;
  private readonly history = new MetricsHistory();
  private readonly markersSeen: (RunMarker & { at: number })[] = [];
  private readonly steps: StepMarkers;
  private readonly decoder = new TextDecoder('utf-8');
  private readonly limit: NodeJS.Timeout;
  private interruptTimer: NodeJS.Timeout | undefined;
  private interrupted = false;
  private exitInfo: RunExit | undefined;
  private resolveDone!: (exit: RunExit) => void;
  private readonly onConsumerError: (err: unknown) => void;

  constructor(opts: DemoRunOptions) {
    this.plan = opts.plan;
    this.cols = opts.cols;
    this.rows = opts.rows;
    this.onConsumerError = opts.onConsumerError ?? ((err) => console.error('demo run: a consumer failed:', err));
    this.done = new Promise((r) => (this.resolveDone = r));
    this.steps = new StepMarkers(opts.plan.steps ?? []);
    this.pty = new PtySession({
      argv: opts.plan.argv,
      cwd: opts.plan.cwd,
      env: opts.plan.env,
      cols: opts.cols,
      rows: opts.rows,
      onOutput: (bytes) => this.output(bytes, true),
      onPtyError: opts.onPtyError,
      onExit: (exit) => void this.exited(exit),
    });
    this.pid = this.pty.pid;
    this.screen = opts.screen?.(opts.cols, opts.rows, (backlogged) => this.setHold('screen', backlogged));
    this.limit = setTimeout(() => void this.stop('timeout'), opts.plan.timeLimitSeconds * 1000);
    this.limit.unref();
    if (opts.sampleHz > 0) {
      this.meter = new SessionMeter({
        root: this.pid,
        match: opts.plan.underTest?.match,
        hz: opts.sampleHz,
        onMetrics: (reading) => this.metrics(reading),
      });
    }
  }

  /** ms since the run started, on the clock of its events. */
  now(): number {
    return performance.now() - this.t0;
  }

  /** The terminal size the program runs at now. */
  get size(): { cols: number; rows: number } {
    return { cols: this.cols, rows: this.rows };
  }

  get isPaused(): boolean {
    return this.pty.isPaused;
  }

  get exit(): RunExit | undefined {
    return this.exitInfo;
  }

  /** The meter readings so far (bounded; see metrics-history.ts). */
  get metricsHistory(): TimedReading[] {
    return this.history.readings();
  }

  /** The steps reached so far, in order. */
  get markers(): readonly (RunMarker & { at: number })[] {
    return this.markersSeen;
  }

  /** The consumer that sets the run's pace (its acknowledgements pause the PTY), if any. */
  get paceSetter(): RunConsumer | undefined {
    return this.pacer;
  }

  get consumerCount(): number {
    return this.consumers.size;
  }

  /** The visible screen as text (for checks; undefined for a run without a screen state). */
  screenText(): string | undefined {
    return this.screen?.text();
  }

  /**
   * Starts following the run. A consumer subscribing before the first output gets everything;
   * one subscribing later gets the current screen first (a 'screen' event), then what follows.
   * Its history is in `metricsHistory` and `markers`. A run has at most one pace-setter.
   */
  subscribe(sink: RunSink, opts: { role: ConsumerRole; window?: FlowWindow }): RunConsumer {
    if (this.exitInfo) throw new Error('this run has ended');
    if (opts.role === 'pace-setter' && this.pacer) throw new Error('this run already has a pace-setter');
    if (opts.role === 'follower' && !this.screen) throw new Error('this run keeps no screen state, so it takes no followers');
    const consumer = new RunConsumer(opts.role, sink, this, opts.window);
    this.consumers.add(consumer);
    if (opts.role === 'pace-setter') this.pacer = consumer;
    if (this.stats.outputBytes > 0) {
      if (!this.screen) throw new Error('this run keeps no screen state: subscribe before its first output');
      this.sendScreen(consumer, 'join');
    }
    return consumer;
  }

  // ---- what consumers (or their owners) ask of the run -----------------------

  /**
   * Sends a follower the current screen (ESC c + the screen), then what follows: for one that
   * speaks for others who need to catch up (an audience fan-out with a newcomer). Not while it
   * waits for a screen already, nor after the exit.
   */
  resync(c: RunConsumer): void {
    if (this.exitInfo || c.role !== 'follower' || c.state === 'joining' || c.isClosed || !this.screen) return;
    this.sendScreen(c, 'resync');
  }

  /** Keyboard input for the program (see PtySession.write). */
  write(input: Uint8Array | string): WriteResult {
    return this.pty.write(input);
  }

  /** Server text on the run's terminal: every consumer sees it, as if the program wrote it. */
  notice(text: string): void {
    this.output(Buffer.from(text), false);
  }

  resize(cols: number, rows: number): void {
    if (this.exitInfo) return;
    this.cols = cols;
    this.rows = rows;
    this.pty.resize(cols, rows);
    this.screen?.resize(cols, rows);
  }

  /** Ends the whole process tree at once; resolves with the exit once everyone was told. */
  stop(reason: ExitReason = 'stopped'): Promise<RunExit> {
    // The meter first: a run ends on its last live reading, not on readings of its teardown.
    void this.meter?.stop();
    void this.pty.stop(reason);
    return this.done;
  }

  /**
   * Stops it as Ctrl-C in its terminal would, so it may print its closing lines, then ends
   * whatever is left after `graceMs`. The run ends as "stopped" even if the demo exits by itself.
   */
  interrupt(graceMs = INTERRUPT_GRACE_MS): Promise<RunExit> {
    if (!this.interrupted && !this.exitInfo) {
      this.interrupted = true;
      void this.meter?.stop();
      this.pty.write('\x03');
      this.interruptTimer = setTimeout(() => void this.pty.stop('stopped'), graceMs);
      this.interruptTimer.unref();
    }
    return this.done;
  }

  // ---- the stream ------------------------------------------------------------

  private output(bytes: Buffer, fromProgram: boolean): void {
    if (this.exitInfo || bytes.byteLength === 0) return;
    const at = this.now();
    this.stats.outputBytes += bytes.byteLength;
    this.stats.outputEvents++;
    if (this.screen) {
      this.screen.write(bytes);
      this.stats.screenBacklogPeak = Math.max(this.stats.screenBacklogPeak, this.screen.pending);
    }
    this.publish({ type: 'output', at, bytes });
    if (fromProgram) {
      const text = this.decoder.decode(bytes, { stream: true });
      for (const step of this.steps.feed(text)) this.mark(step, at);
    }
  }

  private mark(step: RunMarker, at: number): void {
    this.markersSeen.push({ ...step, at });
    this.publish({ type: 'marker', at, ...step });
  }

  private metrics(reading: MeterReading): void {
    if (this.exitInfo) return;
    const at = this.now();
    this.history.add(at, reading);
    this.publish({ type: 'metrics', at, reading });
  }

  private publish(event: RunEvent): void {
    for (const c of this.consumers) {
      if (c.state === 'joining') c.held.push(event);
      else if (event.type !== 'output') c.deliver(event);
      else if (c.state === 'behind') c.stats.skippedBytes += event.bytes.byteLength;
      else if (c.role === 'follower' && c.blocked) {
        // Falling behind: skip output until it has caught up, then send it the screen.
        c.state = 'behind';
        c.stats.skippedBytes += event.bytes.byteLength;
      } else c.deliver(event);
    }
  }

  /**
   * Sends the screen as it is after all output so far, then what came meanwhile. (When nothing
   * waits to be parsed this happens at once, before `subscribe` returns.)
   */
  private sendScreen(c: RunConsumer, reason: 'join' | 'resync'): void {
    c.state = 'joining';
    c.joinReason = reason;
    // The snapshot is taken after exactly the output written before this call; what is
    // published from now on waits in `held` and follows it.
    this.screen!.whenParsed(() => {
      if (c.state === 'joining') this.completeJoin(c, reason, false);
    });
  }

  /** `parsedAll`: the snapshot already shows the held output too (at the exit), so only the rest follows. */
  private completeJoin(c: RunConsumer, reason: 'join' | 'resync', parsedAll: boolean): void {
    const { data, cols, rows } = this.screen!.snapshot(reason === 'resync' ? RESYNC_SCROLLBACK : undefined);
    const held = c.held;
    c.held = [];
    c.state = 'live';
    c.deliver({ type: 'screen', at: this.now(), data: SCREEN_RESET + data, cols, rows, reason });
    for (const e of held) {
      if (c.isClosed) break; // its sink closed it
      if (!(parsedAll && e.type === 'output')) c.deliver(e);
    }
  }

  // ---- flow control (ConsumerHost) --------------------------------------------

  flowChanged(c: RunConsumer): void {
    if (c === this.pacer) {
      this.setHold('acks', c.windowFull);
      this.setHold('socket', c.transportCongested);
    } else if (c.state === 'behind' && !c.blocked && !this.exitInfo) {
      this.sendScreen(c, 'resync');
    }
  }

  leave(c: RunConsumer): void {
    this.consumers.delete(c);
    if (c === this.pacer) {
      this.pacer = undefined;
      this.setHold('acks', false);
      this.setHold('socket', false);
    }
  }

  sinkFailed(c: RunConsumer, err: unknown): void {
    c.close();
    this.onConsumerError(err);
  }

  private setHold(reason: HoldReason, on: boolean): void {
    if (on === this.holds.has(reason)) return;
    if (on) {
      if (this.holds.size === 0) this.heldSince = performance.now();
      this.holds.add(reason);
      this.stats.pauses[reason]++;
      this.pty.hold(reason);
    } else {
      this.holds.delete(reason);
      if (this.holds.size === 0) this.stats.heldMs += performance.now() - this.heldSince;
      this.pty.release(reason);
    }
  }

  // ---- the end -------------------------------------------------------------------

  private async exited(exit: RunExit): Promise<void> {
    clearTimeout(this.limit);
    clearTimeout(this.interruptTimer);
    const final: RunExit = this.interrupted && exit.reason === 'exited' ? { ...exit, reason: 'stopped' } : exit;
    await this.meter?.stop().catch(() => undefined); // its last reading comes before the exit
    // A last line without a newline may still be a step.
    const tail = this.decoder.decode();
    for (const step of this.steps.feed(`${tail}\n`)) this.mark(step, this.now());
    // Consumers that wait for the screen get it first; followers that fell behind get the
    // final screen, so everyone ends on what the program last showed.
    if (this.screen) await new Promise<void>((r) => this.screen!.whenParsed(r));
    for (const c of this.consumers) {
      if (c.state === 'behind' || c.state === 'joining') this.completeJoin(c, c.state === 'behind' ? 'resync' : c.joinReason, true);
    }
    this.exitInfo = final;
    const event: ConsumerEvent = { type: 'exit', at: this.now(), exit: final };
    for (const c of [...this.consumers]) {
      c.deliver(event);
      c.close();
    }
    this.screen?.dispose();
    this.resolveDone(final);
  }
}
