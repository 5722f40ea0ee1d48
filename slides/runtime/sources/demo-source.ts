// What a terminal, a meter or a chat client consumes: a source of runs of one demo. A source
// is live (the demo server), a replay of a recording, or a snapshot (a recording's end, at
// once); all emit the same events (run-events.ts). What differs is offered as capabilities:
// `controls` (a replay's play/pause, speed and seek), `provenance` (for labels), and
// `acceptsInput` (whether typing reaches a program).
import { Emitter, type Listenable } from './emitter.js';
import type { Marker, MeterReading, Provenance, RunEnd, RunEvents, RunStart } from './run-events.js';
import type { ParamValue } from '../../../shared/wire.js';

/** What a slide asks to run. */
export interface DemoRequest {
  demo: string;
  variant?: string | undefined;
  params?: Record<string, ParamValue> | undefined;
}

/** A replay's controls: play/pause, speed, seek, and the recording's steps. */
export interface ReplayControls {
  readonly duration: number;
  readonly position: number;
  readonly playing: boolean;
  readonly speed: number;
  /** The recording's step markers: moments worth jumping to. */
  readonly markers: readonly Marker[];
  pause(): void;
  resume(): void;
  setSpeed(speed: number): void;
  seek(seconds: number): void;
}

/** The current run so far: what a widget that follows it from the middle needs to catch up. */
export interface RunSoFar {
  readonly run: RunStart;
  /** The latest readings, oldest first (bounded). */
  readonly readings: readonly MeterReading[];
  /** Each with how many readings came before it (of all the run's, not only those kept). */
  readonly markers: readonly (Marker & { readingsBefore: number })[];
  /** How many readings the run has had, including those no longer kept. */
  readonly readingsTotal: number;
  /** Set once it ended, by an exit or an error. */
  readonly ended: RunEnd | { error: string } | undefined;
}

export interface DemoSource extends Listenable<RunEvents> {
  /** What it runs, as the slide asked. */
  readonly request: DemoRequest;
  /** Where its runs come from; a recording's date and machine are known once it is ready. */
  readonly provenance: Provenance;
  /** A replay's controls, once it is ready; undefined where there is nothing to seek. */
  readonly controls: ReplayControls | undefined;
  /** Whether what is typed reaches the program. */
  readonly acceptsInput: boolean;
  /** The run in progress or last ended, undefined before the first (and after a reset). */
  readonly current: RunSoFar | undefined;
  /** Loads what the source needs before its first run (a recording); live sources are ready at once. */
  ready(): Promise<void>;
  /** Resolves to a plain message when this source cannot run its demo (not there yet, no recording). */
  unavailable(): Promise<string | undefined>;
  start(size: { cols: number; rows: number }): void;
  stop(): void;
  input(data: string): void;
  resize(cols: number, rows: number): void;
  /** The terminal has drawn `bytes` more bytes of output: lets the server send more. */
  ack(bytes: number): void;
  /** Ends its run, if one is on, and drops every listener. */
  dispose(): void;
}

/** Readings kept for a late follower: ten minutes at 4 Hz. */
const KEEP_READINGS = 2400;

/** What every source shares: the emitter, and the run so far kept from what it emits. */
export abstract class SourceBase extends Emitter<RunEvents> {
  private soFar: { run: RunStart; readings: MeterReading[]; readingsTotal: number; markers: (Marker & { readingsBefore: number })[]; ended: RunSoFar['ended'] } | undefined;

  constructor(readonly request: DemoRequest) {
    super();
  }

  get current(): RunSoFar | undefined {
    return this.soFar;
  }

  protected override emit<K extends keyof RunEvents>(event: K, value: RunEvents[K]): void {
    const e = event as keyof RunEvents;
    if (e === 'reset') this.soFar = undefined;
    else if (e === 'run') this.soFar = { run: value as RunStart, readings: [], readingsTotal: 0, markers: [], ended: undefined };
    else if (this.soFar) {
      if (e === 'metrics') {
        this.soFar.readings.push(value as MeterReading);
        this.soFar.readingsTotal++;
        if (this.soFar.readings.length > KEEP_READINGS) this.soFar.readings.splice(0, this.soFar.readings.length - KEEP_READINGS);
      } else if (e === 'marker') this.soFar.markers.push({ ...(value as Marker), readingsBefore: this.soFar.readingsTotal });
      else if (e === 'exit') this.soFar.ended = value as RunEnd;
      else if (e === 'error') this.soFar.ended = { error: value as string };
    }
    super.emit(event, value);
  }

  dispose(): void {
    this.clear();
  }
}
