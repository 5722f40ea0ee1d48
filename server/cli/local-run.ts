// Runs one demo variant in this process as a DemoRun, with this terminal as its pace-setter:
// the PTY waits while what it printed is still being written to our own output. For `run`
// and `compare`.
import type { LaunchPlan } from '../session/demo-launcher.js';
import { DemoRun } from '../run/demo-run.js';
import type { MeterReading, RunExit, RunMarker } from '../run/run-events.js';
import { SummaryBuilder, type RunSummary } from '../run/run-summary.js';

export interface LocalRunOptions {
  plan: LaunchPlan;
  cols: number;
  rows: number;
  sampleHz: number;
  /** Called with each chunk of output; call `done` once it is written so more may follow. */
  onOutput: (bytes: Buffer, done: () => void) => void;
  onMetrics?: (m: MeterReading) => void;
  /** A step of the demo's manifest showed in its output. */
  onMarker?: (m: RunMarker) => void;
  onExit?: (exit: RunExit) => void;
}

export interface LocalRun {
  run: DemoRun;
  /** Resolves when the demo has ended and its whole process tree is gone. */
  finished: Promise<RunSummary>;
  stop(): Promise<RunSummary>;
  /** Ctrl-C in its terminal first, then the whole tree after a grace period (DemoRun.interrupt). */
  interrupt(graceMs?: number): Promise<RunSummary>;
}

export function runLocal(opts: LocalRunOptions): LocalRun {
  const summary = new SummaryBuilder(opts.plan.demo, opts.plan.variant);
  let resolve!: (s: RunSummary) => void;
  const finished = new Promise<RunSummary>((r) => (resolve = r));
  // No screen state: nobody else follows a run in the CLI, and parsing a flood twice costs CPU.
  const run = new DemoRun({ plan: opts.plan, cols: opts.cols, rows: opts.rows, sampleHz: opts.sampleHz });
  const self = run.subscribe(
    (e) => {
      switch (e.type) {
        case 'output': {
          const n = e.bytes.byteLength;
          opts.onOutput(e.bytes, () => self.ack(n));
          break;
        }
        case 'metrics':
          summary.add(e.reading);
          opts.onMetrics?.(e.reading);
          break;
        case 'marker':
          opts.onMarker?.(e);
          break;
        case 'exit':
          opts.onExit?.(e.exit);
          resolve(summary.finish(e.exit));
          break;
        case 'screen':
          break; // only for consumers that join later
      }
    },
    { role: 'pace-setter' },
  );
  return {
    run,
    finished,
    stop: () => run.stop('stopped').then(() => finished),
    interrupt: (graceMs) => run.interrupt(graceMs).then(() => finished),
  };
}
