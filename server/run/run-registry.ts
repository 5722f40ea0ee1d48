// The server's running demos by run id, and the caps on them — per page and in total — so no
// page can start processes without bound. A run takes its place when it starts and gives it
// back once its exit is known (its process tree is gone).
import type { LaunchPlan } from '../session/demo-launcher.js';
import type { ExitReason } from '../../shared/wire.js';
import { DemoRun } from './demo-run.js';
import { ScreenState } from './screen-state.js';
import { RunOwnership, DEFAULT_GRACE_SECONDS } from './run-ownership.js';

export const RUNS_PER_PAGE = 8;
export const RUNS_TOTAL = 32;

export interface StartRun {
  plan: LaunchPlan;
  cols: number;
  rows: number;
  sampleHz: number;
  onPtyError?: (err: Error) => void;
  onConsumerError?: (err: unknown) => void;
}

export class RunRegistry {
  private readonly runs = new Map<string, DemoRun>();
  /** Which page holds each run, and the grace period of those whose page went away (they count against the caps). */
  readonly owners: RunOwnership;

  constructor(
    readonly perPage = RUNS_PER_PAGE,
    readonly total = RUNS_TOTAL,
    graceSeconds = DEFAULT_GRACE_SECONDS,
  ) {
    this.owners = new RunOwnership(graceSeconds);
  }

  /** Runs whose process tree is not known to be gone yet. */
  get count(): number {
    return this.runs.size;
  }

  get(id: string): DemoRun | undefined {
    return this.runs.get(id);
  }

  values(): IterableIterator<DemoRun> {
    return this.runs.values();
  }

  /** Why a page that runs `onThisPage` already may not start another now, or undefined. */
  refusal(onThisPage: number): string | undefined {
    if (onThisPage >= this.perPage) {
      return `this page already runs ${onThisPage} demos, the most one page may run; stop one first`;
    }
    if (this.runs.size >= this.total) {
      return `the demo server already runs ${this.runs.size} demos, its limit; stop one first`;
    }
    return undefined;
  }

  /** Starts a run with a screen state (so others can follow it); throws when the PTY cannot start. */
  start(opts: StartRun): DemoRun {
    const run = new DemoRun({ ...opts, screen: (cols, rows, onBacklog) => new ScreenState(cols, rows, onBacklog) });
    this.runs.set(run.id, run);
    void run.done.then(() => this.runs.delete(run.id));
    return run;
  }

  /** Ends every run; resolves when their processes are gone. */
  async stopAll(reason: ExitReason): Promise<void> {
    await Promise.all([...this.runs.values()].map((r) => r.stop(reason)));
  }
}
