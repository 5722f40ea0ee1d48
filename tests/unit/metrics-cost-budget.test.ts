// The sampler's cost budget: optional parts that share one CPU budget take turns, so an
// expensive part that is always due cannot starve the others (the c10k stall: the TCP-table
// read kept the fd listing that finds new sockets from ever running).
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { BudgetedParts, Yielder } from '../../server/metrics/cost-budget.js';

/** Use about `ms` of this process's CPU. */
function burnCpu(ms: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const u = process.cpuUsage(start);
    if ((u.user + u.system) / 1000 >= ms) return;
  }
}

describe('BudgetedParts', () => {
  it('parts that each cost more than the bucket holds, and are always due, take turns', async () => {
    // 10 % of a core, a bucket of 1 ms; every run costs 3 ms: after each run the bucket is
    // in debt and only one part can go when it is paid back.
    const parts = new BudgetedParts(['listing', 'tcp'] as const, 0.1, 1);
    const order: string[] = [];
    const y = new Yielder();
    for (let i = 0; i < 2000 && order.length < 8; i++) {
      await parts.run(performance.now(), y, () => true, async (part) => {
        order.push(part);
        burnCpu(3);
      });
      await new Promise((r) => setTimeout(r, 2));
    }
    // the first run of each is not held back; then strictly alternating (on a loaded machine a
    // 3 ms burn takes longer by the clock, which pays the debt back sooner: one call may then
    // run both, still in turn)
    expect(order.slice(0, 8)).toEqual(['listing', 'tcp', 'listing', 'tcp', 'listing', 'tcp', 'listing', 'tcp']);
    expect(order.every((p, i) => p === (i % 2 ? 'tcp' : 'listing'))).toBe(true);
    expect(parts.stats.listing.runs).toBe(order.filter((p) => p === 'listing').length);
    expect(parts.stats.tcp.runs).toBe(order.filter((p) => p === 'tcp').length);
  });

  it('a part that is not due does not run and does not keep its place in the queue', async () => {
    const parts = new BudgetedParts(['a', 'b'] as const, 1, 1000);
    const ran: string[] = [];
    const y = new Yielder();
    await parts.run(performance.now(), y, (p) => p === 'b', async (p) => void ran.push(p));
    await parts.run(performance.now(), y, () => true, async (p) => void ran.push(p));
    expect(ran).toEqual(['b', 'a', 'b']);
  });

  it('the cost is charged: a budget of 1 % after a 20 ms run holds the next run back', async () => {
    const parts = new BudgetedParts(['x'] as const, 0.01, 1);
    const y = new Yielder();
    let runs = 0;
    const work = async (): Promise<void> => {
      runs++;
      burnCpu(20);
    };
    const start = performance.now();
    await parts.run(start, y, () => true, work);
    // 20 ms of debt at 1 % takes 2 s of wall time to pay back: whatever the ten tries took,
    // the runs are bounded by the budget (so on a quiet machine, one run).
    for (let i = 0; i < 10; i++) {
      await parts.run(performance.now(), y, () => true, work);
      await new Promise((r) => setTimeout(r, 5));
    }
    const paidFor = (performance.now() - start) * 0.01; // CPU ms the budget allowed meanwhile
    expect(runs).toBeLessThanOrEqual(1 + Math.ceil(paidFor / 20));
    expect(parts.stats.x.ms).toBeGreaterThanOrEqual(20 * runs);
  });
});
