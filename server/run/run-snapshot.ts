// A run as it stands, for a page that takes it back (a re-attach) or follows it (a watcher)
// from the middle: what it runs, its screen (serialized by the run's screen state, not a replay
// of its bytes), the meter readings so far and the steps reached, in the wire's terms.
import type { RunSnapshot } from '../../shared/wire.js';
import type { DemoRun } from './demo-run.js';
import type { TimedReading } from './metrics-history.js';

/** Readings a snapshot carries at most: the history thinned evenly, the latest kept. */
export const SNAPSHOT_READINGS = 256;

export interface SnapshotParts {
  /** The screen at the snapshot point (the run's 'screen' event for this consumer); empty before any output. */
  screen?: { data: string; cols: number; rows: number } | undefined;
  /** The readings up to the snapshot point (those after it reach the consumer as events); default: all so far. */
  readings?: TimedReading[];
  /** Steps reached up to the snapshot point; default: all so far. */
  markers?: readonly { label: string; at: number }[];
}

export function snapshotOf(run: DemoRun, parts: SnapshotParts = {}, maxReadings = SNAPSHOT_READINGS): RunSnapshot {
  const { plan } = run;
  const history = parts.readings ?? run.metricsHistory;
  const step = Math.max(1, Math.ceil(history.length / maxReadings));
  const kept = history.filter((_, i) => i % step === 0 || i === history.length - 1);
  const screen = parts.screen ?? { data: '', cols: run.size.cols, rows: run.size.rows };
  const exit = run.exit;
  return {
    runId: run.id,
    demo: plan.demo,
    variant: plan.variant,
    params: plan.params,
    pid: run.pid,
    timeLimitSeconds: plan.timeLimitSeconds,
    startedAt: run.startedAt,
    screen: { data: screen.data, cols: screen.cols, rows: screen.rows },
    readings: kept.map((r) => r.reading),
    markers: (parts.markers ?? run.markers).map(({ label, at }) => ({ label, at })),
    ...(exit ? { exit: { code: exit.code, signal: exit.signal, reason: exit.reason } } : {}),
  };
}
