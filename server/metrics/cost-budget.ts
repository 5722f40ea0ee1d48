/**
 * What sampling may cost, and when its expensive parts run.
 *
 * Costs are CPU time of this process, not wall time, so that a read preempted on a busy
 * machine is not charged for the wait; what other code does while a sample yields is not
 * charged either. Three tools:
 *   Yielder        cooperative yielding in long synchronous stretches, and the CPU meter
 *   Cadence        a read whose interval stretches with its own measured cost
 *   BudgetedParts  optional parts sharing one token bucket, served oldest-waiting first
 */
import { performance } from 'node:perf_hooks';

/** CPU time of this process (user + system), ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Cooperative yielding for long synchronous stretches (every ~4 ms, so the demo server's
 * event loop stays responsive), and the CPU cost of the work between yields.
 */
export class Yielder {
  private last = performance.now();
  /** CPU ms used by others while we yielded */
  private othersCpu = 0;
  async maybe(): Promise<void> {
    const now = performance.now();
    if (now - this.last < 4) return;
    const c0 = cpuMs();
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.othersCpu += cpuMs() - c0;
    this.last = performance.now();
  }
  /** Start measuring; the returned function gives our CPU ms since then. */
  meter(): () => number {
    const c0 = cpuMs();
    const o0 = this.othersCpu;
    return () => Math.max(0, cpuMs() - c0 - (this.othersCpu - o0));
  }
}

/**
 * Token bucket in ms of CPU: refills at `fraction` ms per wall ms, up to `capMs`.
 * A part may run while the balance is not negative; its measured cost is then charged,
 * so one expensive run is paid back by a proportionally long pause.
 */
export class CostBucket {
  private balance: number;
  private at = performance.now();
  constructor(
    private readonly fraction: number,
    private readonly capMs: number,
  ) {
    this.balance = capMs;
  }
  canRun(): boolean {
    const now = performance.now();
    this.balance = Math.min(this.capMs, this.balance + (now - this.at) * this.fraction);
    this.at = now;
    return this.balance >= 0;
  }
  charge(ms: number): void {
    this.balance -= ms;
  }
}

/** A read whose interval stretches with its measured CPU cost: ~1/factor of a core at most. */
export class Cadence {
  private lastAt = -Infinity;
  private cost = 0;
  constructor(private readonly factor: number) {}
  due(now: number): boolean {
    return now - this.lastAt >= this.factor * this.cost;
  }
  done(startedAt: number, costMs: number): void {
    this.lastAt = startedAt;
    this.cost = costMs;
  }
}

export interface PartStats {
  runs: number;
  /** CPU ms, all runs */
  ms: number;
}

/**
 * Optional parts of a sample that share one CPU budget. Each sample, the parts that are
 * due run if the bucket allows, the one that has waited longest first (ties: the one
 * that ran longest ago, then the order given). One run may cost more than the bucket holds, so a fixed order would let the
 * first part take every refill and starve the others for as long as it stays due; oldest
 * first makes them take turns, so each waits at most about the others' cost / budget.
 * The first run of each part is not held back (a new sampler starts from a full picture),
 * but it is charged like any other.
 */
export class BudgetedParts<P extends string> {
  private readonly bucket: CostBucket;
  private readonly owedSince = new Map<P, number>();
  private readonly ranOnce = new Set<P>();
  readonly stats: Record<P, PartStats>;
  /** measured CPU ms of each part's latest run */
  readonly lastCost: Record<P, number>;
  /** performance.now() at the end of each part's latest run */
  readonly lastRunAt: Record<P, number>;

  constructor(
    private readonly order: readonly P[],
    budget: number,
    capMs: number,
  ) {
    this.bucket = new CostBucket(budget, capMs);
    this.stats = Object.fromEntries(order.map((p) => [p, { runs: 0, ms: 0 }])) as Record<P, PartStats>;
    this.lastCost = Object.fromEntries(order.map((p) => [p, 0])) as Record<P, number>;
    this.lastRunAt = Object.fromEntries(order.map((p) => [p, -Infinity])) as Record<P, number>;
  }

  /**
   * Run the due parts the budget allows, oldest-waiting first. `due` is asked when a part's
   * turn comes, so it sees what the parts before it found (new sockets make the TCP read due).
   * A part whose `work` resolves to 'deferred' went on in the background: its cost is
   * charged by `settle` when it is done.
   */
  async run(now: number, y: Yielder, due: (part: P) => boolean, work: (part: P) => Promise<void | 'deferred'>): Promise<void> {
    const queue = this.order.map((part, rank) => ({ part, since: this.owedSince.get(part) ?? now, rank }));
    // Waited longest first; then the one that ran longest ago; then the order given.
    queue.sort((a, b) => a.since - b.since || this.lastRunAt[a.part] - this.lastRunAt[b.part] || a.rank - b.rank);
    for (const { part } of queue) {
      if (!due(part)) {
        this.owedSince.delete(part);
        continue;
      }
      const free = !this.ranOnce.has(part);
      if (!free && !this.bucket.canRun()) {
        if (!this.owedSince.has(part)) this.owedSince.set(part, now);
        continue;
      }
      this.owedSince.delete(part);
      const meter = y.meter();
      const deferred = (await work(part)) === 'deferred';
      this.ranOnce.add(part);
      if (!deferred) this.settle(part, meter());
    }
  }

  /** Charge a run of `part` that cost `costMs` of CPU (run() does it for parts it waited for). */
  settle(part: P, costMs: number): void {
    this.bucket.charge(costMs);
    this.lastCost[part] = costMs;
    this.lastRunAt[part] = performance.now();
    this.stats[part].runs++;
    this.stats[part].ms += costMs;
  }
}
