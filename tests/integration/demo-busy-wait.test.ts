// Demo "busy-wait": the real samples, run directly and through the demo server.
// Point: polling a non-blocking socket in a loop burns a whole core while it waits;
// sleeping in select() on the same socket costs about nothing. On screen that is "s of CPU
// per second of waiting", which holds on a busy machine too (the loop burns all it is given,
// and says when that was less than a core); the last test runs both beside CPU burners.
//
// This machine is shared, so a busy loop may get less than a core. Besides the sample's own
// figures (CPU time vs wall time), the test reads the main thread's /proc/<pid>/schedstat:
// time on a CPU plus time waiting in the run queue is what the loop *asks* for, whatever
// the other processes leave it.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/server.js';
import { killGroups } from '../helpers/processes.js';
import { runPythonSample } from '../helpers/python-sample.js';
import { inDemoSession, stopAndExpectGone } from '../helpers/demo-session.js';
import { burnCpu } from '../helpers/cpu-burner.js';

const DIR = resolve(ROOT, 'demos/busy-wait');
const CORES = availableParallelism();
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

/** What the sample printed at the end: seconds waited, CPU burnt, and the busy-machine note. */
function figures(out: string, name: 'busy-wait' | 'select') {
  const m = new RegExp(`^${name}: ([\\d.]+) s waited, ([\\d.]+) s CPU burnt\\n  = ([\\d.]+) s of CPU per second of waiting$`, 'm').exec(out);
  expect(m, out).not.toBeNull();
  const busy = /^busy machine: it got (\d+) % of a core;\n  idle, it would burn a whole one$/m.exec(out);
  return { wall: Number(m![1]), cpu: Number(m![2]), perSecond: Number(m![3]), busyShare: busy ? Number(busy[1]) / 100 : null, lastLines: out.trimEnd().split('\n').slice(-4) };
}

describe.skipIf(process.platform !== 'linux')('demo busy-wait: polling vs select', () => {
  afterAll(() => killGroups(started));

  let busy: Run, sel: Run;
  beforeAll(async () => {
    // One after the other: two at once would compete for the same two cores.
    busy = await runSample('busy_wait.py', DELAY);
    sel = await runSample('select_wait.py', DELAY);
    console.log('busy-wait figures', JSON.stringify({ busy: busy.sched, select: sel.sched }));
    console.log(busy.out.trim().split('\n').slice(-2).join(' '), '|', sel.out.trim().split('\n').slice(-2).join(' '));
  }, 45_000);

  it('busy-wait polls millions of times and burns (or asks for) a whole core', () => {
    expect(busy.code, busy.out).toBe(0);
    const f = figures(busy.out, 'busy-wait');
    const polls = Number(/answer after ([\d,]+) polls/.exec(busy.out)![1]!.replace(/,/g, ''));
    expect(f.wall).toBeGreaterThanOrEqual(DELAY * 0.9);
    expect(polls).toBeGreaterThan(10_000);
    expect(f.perSecond).toBeCloseTo(f.cpu / f.wall, 1);
    // It never sleeps: it is on a CPU or waiting for one nearly all the time.
    expect(busy.sched, 'schedstat readings while it polled').not.toBeNull();
    const s = busy.sched!;
    expect((s.cpu + s.waiting) / s.wall).toBeGreaterThanOrEqual(0.8);
    // And it uses the CPU it gets: at least 60 % of the wall time, or of the share the other
    // processes left it when the machine is busy (share = 1 on an idle machine).
    const share = s.cpu / (s.cpu + s.waiting);
    expect(f.cpu / f.wall).toBeGreaterThanOrEqual(0.6 * share);
  });

  it('select() waits as long, at about 0 s of CPU per second, in a handful of calls', () => {
    expect(sel.code, sel.out).toBe(0);
    const f = figures(sel.out, 'select');
    const calls = Number(/answer after (\d+) select\(\) calls/.exec(sel.out)![1]);
    expect(f.wall).toBeGreaterThanOrEqual(DELAY * 0.9);
    expect(f.cpu).toBeLessThanOrEqual(0.1 * f.wall);
    expect(f.perSecond).toBeLessThanOrEqual(0.1);
    expect(f.busyShare).toBeNull();
    expect(calls).toBeLessThanOrEqual(DELAY + 4); // one per second of waiting, plus a few
    expect(sel.sched, 'schedstat readings while it waited').not.toBeNull();
    const s = sel.sched!;
    expect((s.cpu + s.waiting) / s.wall).toBeLessThanOrEqual(0.1); // asleep
  });

  it('beside a burner on every core, both still make the point, and the busy loop says the machine is busy', async () => {
    const burners = await burnCpu(2 * CORES, started); // twice as many loops as cores: under a core each, however many
    let loaded: Run, loadedSel: Run;
    try {
      loaded = await runSample('busy_wait.py', DELAY);
      loadedSel = await runSample('select_wait.py', DELAY);
    } finally {
      await burners.stop();
    }
    console.log('beside burners:', loaded.out.trim().split('\n').slice(-4).join(' / '), '|', JSON.stringify(loaded.sched));
    const f = figures(loaded.out, 'busy-wait');
    const s = loaded.sched!;
    // It still asked for a whole core all along (on one, or queued for one) ...
    expect((s.cpu + s.waiting) / s.wall).toBeGreaterThanOrEqual(0.8);
    // ... was given less, and the screen says so, with the share it got (the CPU it burnt).
    expect(f.busyShare, loaded.out).not.toBeNull();
    expect(f.busyShare!).toBeCloseTo(f.cpu / f.wall, 1);
    expect(f.busyShare!).toBeLessThan(0.85);
    // Its point is on its last four lines: CPU per second of waiting, and why it is under 1.
    expect(f.lastLines.join('\n')).toMatch(/s CPU burnt\n {2}= [\d.]+ s of CPU per second of waiting\nbusy machine: /);
    // select() burns nothing either way: the gap between them does not need idle cores.
    const g = figures(loadedSel.out, 'select');
    expect(g.perSecond).toBeLessThanOrEqual(0.1);
    expect(f.perSecond).toBeGreaterThan(10 * Math.max(g.perSecond, 0.01));
  }, 60_000);

  it('runs through the demo server and stops cleanly in the middle of the busy loop', async () => {
    await inDemoSession({ demo: 'busy-wait', variant: 'busy', params: { delay: 10 } }, started, async (c, s) => {
      await c.until(() => /polling recv\(\)/.test(c.text(1)), 15_000, 'the busy loop');
      const m = await c.message('metrics', 1, 10_000);
      expect(m.underTest.pid).toBe(s.pid); // the meters follow the sample itself
      await stopAndExpectGone(c, [s.pid]);
    });
  });
});
