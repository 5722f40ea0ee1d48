// A run as it stands, for a page that takes it back (or follows it) from the middle: what it
// runs, its screen (serialized by the run's screen state, not a replay of its bytes), the meter
// readings so far and the steps reached.
import type { RunSnapshot } from '../../shared/wire.js';
import type { DemoRun } from './demo-run.js';
import type { TimedReading } from './metrics-history.js';

export interface SnapshotParts {
  /** The screen at the snapshot point (the run's 'screen' event for this consumer); empty before any output. */
  screen: { data: string; cols: number; rows: number };
  /** The readings up to the snapshot point (those after it reach the consumer as events). */
  readings: TimedReading[];
  markers: readonly { label: string; at: number }[];
}

export function snapshotOf(run: DemoRun, parts: SnapshotParts): RunSnapshot {
  const { plan } = run;
  return {
    runId: run.id,
    demo: plan.demo,
    variant: plan.variant,
    params: plan.params,
    pid: run.pid,
    timeLimitSeconds: plan.timeLimitSeconds,
    startedAt: run.startedAt,
    screen: parts.screen,
    readings: parts.readings.map((r) => r.reading),
    markers: parts.markers.map(({ label, at }) => ({ label, at })),
    ...(run.exit ? { exit: run.exit } : {}),
  };
}
