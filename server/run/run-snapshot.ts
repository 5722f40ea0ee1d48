// A run as a page joining it midway needs it (a watcher, a re-attached page): what runs, its
// screen now, its meters' history and the steps reached, in the wire's terms.
import type { RunSnapshot } from '../../shared/wire.js';
import type { DemoRun } from './demo-run.js';
import type { ScreenEvent } from './run-events.js';

/** Readings a snapshot carries at most: the history thinned evenly, the latest kept. */
export const SNAPSHOT_READINGS = 256;

/**
 * `screen`: the consumer's join screen (DemoRun sends one to a consumer subscribing after the
 * first output), so the snapshot is exactly the state the output that follows it continues;
 * without one (nothing printed yet) the screen is empty.
 */
export function snapshotOf(run: DemoRun, screen?: Pick<ScreenEvent, 'data' | 'cols' | 'rows'>, maxReadings = SNAPSHOT_READINGS): RunSnapshot {
  const history = run.metricsHistory;
  const step = Math.max(1, Math.ceil(history.length / maxReadings));
  const kept = history.filter((_, i) => i % step === 0 || i === history.length - 1);
  const exit = run.exit;
  return {
    runId: run.id,
    demo: run.plan.demo,
    variant: run.plan.variant,
    params: run.plan.params,
    pid: run.pid,
    timeLimitSeconds: run.plan.timeLimitSeconds,
    startedAt: run.startedAt,
    screen: screen ? { data: screen.data, cols: screen.cols, rows: screen.rows } : { data: '', cols: run.size.cols, rows: run.size.rows },
    readings: kept.map((r) => r.reading),
    markers: run.markers.map((m) => ({ label: m.label, at: m.at })),
    ...(exit ? { exit: { code: exit.code, signal: exit.signal, reason: exit.reason } } : {}),
  };
}
