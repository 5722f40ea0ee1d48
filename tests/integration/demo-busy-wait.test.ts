// Demo "busy-wait": the real samples, run directly and through the demo server.
// Point: polling a non-blocking socket in a loop burns a whole core while it waits;
// sleeping in select() on the same socket costs about nothing.
//
// This machine is shared, so a busy loop may get less than a core. Besides the sample's own
// figures (CPU time vs wall time), the test reads the main thread's /proc/<pid>/schedstat:
// time on a CPU plus time waiting in the run queue is what the loop *asks* for, whatever
// the other processes leave it.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/server.js';
import { killGroups } from '../helpers/processes.js';
import { runPythonSample } from '../helpers/python-sample.js';
import { inDemoSession, stopAndExpectGone } from '../helpers/demo-session.js';

const DIR = resolve(ROOT, 'demos/busy-wait');
const DELAY = 2;
const started: number[] = [];

interface Run {
  code: number | null;
  out: string;
  /** seconds on a CPU and waiting for one, over `wall` seconds, from schedstat while it waited */
  sched: { cpu: number; waiting: number; wall: number } | null;
}

/** [seconds on a CPU, seconds runnable but waiting for a CPU] of a process's main thread. */
function schedstat(pid: number): [number, number] | null {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    return [run! / 1e9, wait! / 1e9];
  } catch {
    return null;
  }
}

async function runSample(script: string, delay: number): Promise<Run> {
  let first: { t: number; s: [number, number] } | null = null;
  let last: { t: number; s: [number, number] } | null = null;
  let poll: NodeJS.Timeout | undefined;
  const { code, out } = await runPythonSample(DIR, [script, '--delay', String(delay)], {
    timeoutMs: 30_000,
    started,
    onSpawn: (child) => {
      const pid = child.pid!;
      const read = (): void => {
        const s = schedstat(pid);
        if (s && first) last = { t: performance.now() / 1000, s };
      };
      poll = setInterval(read, 100);
      let stdout = '';
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
        if (!first && /request sent/.test(stdout)) {
          const s = schedstat(pid);
          if (s) first = { t: performance.now() / 1000, s };
        }
      });
    },
  }).finally(() => clearInterval(poll));
  const f = first as { t: number; s: [number, number] } | null;
  const l = last as { t: number; s: [number, number] } | null;
  const sched = f && l && l.t - f.t > 0.5
    ? { cpu: l.s[0] - f.s[0], waiting: l.s[1] - f.s[1], wall: l.t - f.t }
    : null;
  return { code, out, sched };
}

describe.skipIf(process.platform !== 'linux')('demo busy-wait: polling vs select', () => {
  afterAll(() => killGroups(started));

  let busy: Run, sel: Run;
  beforeAll(async () => {
    // One after the other: two at once would compete for the same two cores.
    busy = await runSample('busy_wait.py', DELAY);
    sel = await runSample('select_wait.py', DELAY);
    console.log('busy-wait figures', JSON.stringify({ busy: busy.sched, select: sel.sched }));
    console.log(busy.out.trim().split('\n').pop(), '|', sel.out.trim().split('\n').pop());
  }, 45_000);

  it('busy-wait polls millions of times and burns (or asks for) a whole core', () => {
    expect(busy.code, busy.out).toBe(0);
    const m = /busy-wait: ([\d.]+) s wall, ([\d.]+) s CPU \((\d+) % of a core\), ([\d,]+) polls/.exec(busy.out);
    expect(m, busy.out).not.toBeNull();
    const [wall, cpu, polls] = [Number(m![1]), Number(m![2]), Number(m![4]!.replace(/,/g, ''))];
    expect(wall).toBeGreaterThanOrEqual(DELAY * 0.9);
    expect(polls).toBeGreaterThan(10_000);
    // It never sleeps: it is on a CPU or waiting for one nearly all the time.
    expect(busy.sched, 'schedstat readings while it polled').not.toBeNull();
    const s = busy.sched!;
    expect((s.cpu + s.waiting) / s.wall).toBeGreaterThanOrEqual(0.8);
    // And it uses the CPU it gets: at least 60 % of the wall time, or of the share the other
    // processes left it when the machine is busy (share = 1 on an idle machine).
    const share = s.cpu / (s.cpu + s.waiting);
    expect(cpu / wall).toBeGreaterThanOrEqual(0.6 * share);
  });

  it('select() waits as long, at about 0 % CPU, in a handful of calls', () => {
    expect(sel.code, sel.out).toBe(0);
    const m = /select: ([\d.]+) s wall, ([\d.]+) s CPU \((\d+) % of a core\), (\d+) select\(\) calls/.exec(sel.out);
    expect(m, sel.out).not.toBeNull();
    const [wall, cpu, calls] = [Number(m![1]), Number(m![2]), Number(m![4])];
    expect(wall).toBeGreaterThanOrEqual(DELAY * 0.9);
    expect(cpu).toBeLessThanOrEqual(0.1 * wall);
    expect(calls).toBeLessThanOrEqual(DELAY + 4); // one per second of waiting, plus a few
    expect(sel.sched, 'schedstat readings while it waited').not.toBeNull();
    const s = sel.sched!;
    expect((s.cpu + s.waiting) / s.wall).toBeLessThanOrEqual(0.1); // asleep
  });

  it('runs through the demo server and stops cleanly in the middle of the busy loop', async () => {
    await inDemoSession({ demo: 'busy-wait', variant: 'busy', params: { delay: 10 } }, started, async (c, s) => {
      await c.until(() => /polling recv\(\)/.test(c.text(1)), 15_000, 'the busy loop');
      const m = await c.message('metrics', 1, 10_000);
      expect(m.underTest.pid).toBe(s.pid); // the meters follow the sample itself
      await stopAndExpectGone(c, [s.pid]);
    });
  });
});
