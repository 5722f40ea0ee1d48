// What a running demo says, in its own terms (not the wire's): the events of a DemoRun, in
// the order they happen, and what a consumer gets besides them when it joins mid-run.
import type { ExitReason, MetricsMessage } from '../../shared/wire.js';

/** One reading of the resource meter: the sample of the process under test and what follows from it. */
export type MeterReading = Omit<MetricsMessage, 'type' | 'session'>;

export interface RunExit {
  code: number | null;
  signal: string | null;
  reason: ExitReason;
}

/** A manifest step the output reached: a moment worth naming. `last`: the demo's point is made. */
export interface RunMarker {
  label: string;
  last: boolean;
}

/** `at`: milliseconds since the run started, on one monotonic clock for every event. */
export type RunEvent =
  | { type: 'output'; at: number; bytes: Buffer }
  | { type: 'metrics'; at: number; reading: MeterReading }
  | ({ type: 'marker'; at: number } & RunMarker)
  | { type: 'exit'; at: number; exit: RunExit };

/**
 * The run's screen as a terminal would show it (serialized escape sequences: write them into
 * a reset terminal of `cols` × `rows`). A consumer gets one when it joins a run that already
 * printed something, and a follower gets one instead of the output it fell behind on.
 */
export interface ScreenEvent {
  type: 'screen';
  at: number;
  data: string;
  cols: number;
  rows: number;
  reason: 'join' | 'resync';
}

export type ConsumerEvent = RunEvent | ScreenEvent;
