// What a demo run says, whoever runs it: the demo server now (live), or a recording played
// back (replay, or at once: a snapshot). Widgets listen to these events and never learn which
// source they have; what differs between sources is offered as capabilities (demo-source.ts).
// They are domain events, not wire messages: no session ids, no pids.
import type { MeterReading } from '../../../shared/sample.js';
import type { RecordedOn } from '../../../shared/recording.js';
import type { ExitReason, ParamValue } from '../../../shared/wire.js';

export type { MeterReading };

/** Where a run comes from: this machine, now; or a recording, made when and where it says. */
export type Provenance =
  /** `joined`: how this page came to show the run: it started it (absent or 'started'), took it back after a dropped socket or a reload ('reattached'), or follows the presenter's run read-only ('watching'). */
  | { kind: 'live'; joined?: 'started' | 'reattached' | 'watching' }
  /** `recordedOn` is known once the recording is loaded. */
  | { kind: 'recording'; recordedOn: RecordedOn | undefined };

/** A run began. */
export interface RunStart {
  demo: string;
  variant: string;
  /** Every parameter the run has, the slide's and the defaults. */
  params: Record<string, ParamValue>;
  /** The terminal size it runs at. */
  size: { cols: number; rows: number };
  provenance: Provenance;
  /** Live: the wall-clock limit after which the server stops it. */
  timeLimitSeconds?: number;
}

/** The run reached one of its demo's steps (demo.json "steps"): a moment worth naming. */
export interface Marker {
  label: string;
  /** Seconds since the run began. */
  at: number;
}

/** How the run ended. */
export interface RunEnd {
  code: number | null;
  signal: string | null;
  reason: ExitReason;
}

export interface RunEvents {
  run: RunStart;
  /** Bytes the program wrote to its terminal. */
  output: Uint8Array;
  /** A meter reading of the process under test, a few times a second. */
  metrics: MeterReading;
  marker: Marker;
  exit: RunEnd;
  /** A problem worth showing that ends the run: the demo refused to start, or the server went away. */
  error: string;
  /** Start over: clear the screen and the meters; what follows rebuilds them (a new run, a seek). */
  reset: void;
  /**
   * The connection dropped under a run that goes on without the page: a calm note (not an
   * error). What follows is the run taken back (reset, run, …) or an error saying it was lost.
   */
  suspended: string;
}
