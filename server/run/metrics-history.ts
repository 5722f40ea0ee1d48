// The meter readings of a run so far, for a consumer that joins mid-run: the meters show their
// history, not only what comes next. Bounded: past MAX_READINGS the history keeps every
// second reading (and then takes every second new one, and so on), so it always spans the
// whole run, evenly, at a resolution that halves as the run goes on. The latest reading is
// always kept.
import type { MeterReading } from './run-events.js';

export const MAX_READINGS = 1024;

export interface TimedReading {
  /** ms since the run started */
  at: number;
  reading: MeterReading;
}

export class MetricsHistory {
  private kept: TimedReading[] = [];
  private latest: TimedReading | undefined;
  /** Keep one reading of every `stride`. */
  private stride = 1;
  private seen = 0;

  constructor(private readonly max = MAX_READINGS) {}

  add(at: number, reading: MeterReading): void {
    this.latest = { at, reading };
    if (this.seen++ % this.stride !== 0) return;
    this.kept.push(this.latest);
    if (this.kept.length >= this.max) {
      this.kept = this.kept.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }

  /** Oldest first; the latest reading last. */
  readings(): TimedReading[] {
    const out = [...this.kept];
    if (this.latest && out.at(-1) !== this.latest) out.push(this.latest);
    return out;
  }
}
