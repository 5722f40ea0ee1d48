// Which run each of the presenter's terminals shows now, and who watches it: an audience page,
// the speaker view's current-slide pane. A run started with a `terminal` id becomes that
// terminal's current run until it ends; every watcher of the terminal is attached to it then,
// and one that starts watching later is attached at once (or told the terminal is idle).
import type { DemoRun } from '../run/demo-run.js';
import { Fanouts } from './run-fanout.js';

/** One watch: told each time its terminal's presenter starts a run. */
export interface RunWatcher {
  attach(run: DemoRun): void;
}

export class WatchHub {
  /** One subscription per watched run, whatever the number of its watchers. */
  readonly fanouts = new Fanouts();
  private readonly current = new Map<string, DemoRun>();
  private readonly watchers = new Map<string, Set<RunWatcher>>();
  private count = 0;

  /** The presenter started `run` in `terminal`: it is what that terminal's watchers see now. */
  started(terminal: string, run: DemoRun): void {
    this.current.set(terminal, run);
    void run.done.then(() => {
      if (this.current.get(terminal) === run) this.current.delete(terminal);
    });
    for (const w of [...(this.watchers.get(terminal) ?? [])]) w.attach(run);
  }

  /** The run on in `terminal` now, if one is (not yet ended). */
  runOf(terminal: string): DemoRun | undefined {
    const run = this.current.get(terminal);
    return run && !run.exit ? run : undefined;
  }

  add(terminal: string, w: RunWatcher): void {
    let set = this.watchers.get(terminal);
    if (!set) this.watchers.set(terminal, (set = new Set()));
    if (!set.has(w)) this.count++;
    set.add(w);
  }

  remove(terminal: string, w: RunWatcher): void {
    const set = this.watchers.get(terminal);
    if (!set?.delete(w)) return;
    this.count--;
    if (set.size === 0) this.watchers.delete(terminal);
  }

  /** Watches open now, over every terminal. */
  get watcherCount(): number {
    return this.count;
  }
}
