// Demo "from-scratch": fetch N slow URLs (delays spread up to maxDelay) sequentially, with a
// hand-made selector loop + Future + generator Task (the 500 Lines path), and with asyncio.
// Point: in turn they take about the sum of the delays; overlapped, about the longest one.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/server.js';
import { killGroups } from '../helpers/processes.js';
import { runPythonSample } from '../helpers/python-sample.js';
import { inDemoSession, stopAndExpectGone } from '../helpers/demo-session.js';

const DIR = resolve(ROOT, 'demos/from-scratch');
const COUNT = 6;
const MAX_DELAY = 1.2; // delays 0.2, 0.4, ... 1.2: sum 4.2 s, longest 1.2 s
const started: number[] = [];

interface Run {
  code: number | null;
  out: string;
  took: number;
  sum: number;
  longest: number;
  /** per URL: seconds since start when it started and when it was done */
  urls: Map<string, { start: number; done: number }>;
}

async function runSample(script: string): Promise<Run> {
  const argv = [script, '--count', String(COUNT), '--max-delay', String(MAX_DELAY)];
  const { code, out } = await runPythonSample(DIR, argv, { timeoutMs: 40_000, started });
  const urls = new Map<string, { start: number; done: number }>();
  for (const m of out.matchAll(/^\[([\d.]+)s\] (\/\S+)\s+(started|done: 200)/gm)) {
    const u = urls.get(m[2]!) ?? { start: NaN, done: NaN };
    if (m[3] === 'started') u.start = Number(m[1]);
    else u.done = Number(m[1]);
    urls.set(m[2]!, u);
  }
  const head = /delays: sum ([\d.]+) s, longest ([\d.]+) s/.exec(out);
  const end = /: (\d+) URLs in ([\d.]+) s,\n {2}about/.exec(out);
  return { code, out, took: Number(end?.[2]), sum: Number(head?.[1]), longest: Number(head?.[2]), urls };
}

describe('demo from-scratch: N slow URLs, in turn or overlapped', () => {
  afterAll(() => killGroups(started));

  let seq: Run, hand: Run, aio: Run;
  beforeAll(async () => {
    // Little CPU is used (they wait for the server), so the three runs may overlap.
    [seq, hand, aio] = await Promise.all([runSample('sequential.py'), runSample('hand_made.py'), runSample('asyncio_gather.py')]);
    console.log('from-scratch figures', JSON.stringify({ sequential: seq.took, handMade: hand.took, asyncio: aio.took, sum: seq.sum, longest: seq.longest }));
  }, 50_000);

  it('every variant fetches every URL, and reports the delays it asked for', () => {
    for (const r of [seq, hand, aio]) {
      expect(r.code, r.out).toBe(0);
      expect(r.urls.size, r.out).toBe(COUNT);
      for (const u of r.urls.values()) expect(u.done).toBeGreaterThanOrEqual(u.start);
      expect(r.sum).toBeCloseTo((MAX_DELAY * (COUNT + 1)) / 2, 1);
      expect(r.longest).toBeCloseTo(MAX_DELAY, 2);
    }
  });

  it('sequentially, N URLs take about the sum of their delays, one after another', () => {
    expect(seq.took).toBeGreaterThanOrEqual(0.8 * seq.sum);
    expect(seq.out).toMatch(/sequential: 6 URLs in [\d.]+ s,\n {2}about the sum of the delays$/m);
    const byStart = [...seq.urls.values()].sort((a, b) => a.start - b.start);
    byStart.slice(1).forEach((u, i) => expect(u.start).toBeGreaterThanOrEqual(byStart[i]!.done)); // never overlap
  });

  it.each([
    ['hand-made', () => hand],
    ['asyncio', () => aio],
  ] as const)('%s: they overlap, and take about the longest delay, not the sum', (name, get) => {
    const r = get();
    expect(r.took).toBeLessThanOrEqual(0.5 * r.sum);
    expect(r.took).toBeLessThanOrEqual(r.longest + 1.5);
    expect(r.took).toBeGreaterThanOrEqual(0.9 * r.longest); // it did wait for the slowest
    const firstDone = Math.min(...[...r.urls.values()].map((u) => u.done));
    for (const u of r.urls.values()) expect(u.start).toBeLessThanOrEqual(firstDone); // all started first
    expect(r.out).toMatch(new RegExp(`${name}: 6 URLs in [\\d.]+ s,\\n {2}about the longest delay, not the sum$`, 'm'));
  });

  it('asyncio-queue: a queue of 2 workers never runs more than 2 fetches at once, and fetches them all', async () => {
    const argv = ['asyncio_queue.py', '--count', String(COUNT), '--max-delay', String(MAX_DELAY), '--workers', '2'];
    const { code, out } = await runPythonSample(DIR, argv, { timeoutMs: 40_000, started });
    expect(code, out).toBe(0);
    const events = [...out.matchAll(/^\[([\d.]+)s\] \/\S+\s+(started|done)/gm)].map((m) => m[2]);
    expect(events.filter((e) => e === 'done')).toHaveLength(COUNT);
    let running = 0;
    let most = 0;
    for (const e of events) {
      running += e === 'started' ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(most).toBe(2);
    expect(out).toMatch(/asyncio, 2 workers: 6 URLs in [\d.]+ s,\n {2}at most 2 at a time$/m);
  });

  it('generator: send() runs it to the yield, resumes it with a value, and StopIteration carries its result', async () => {
    const { code, out } = await runPythonSample(DIR, ['pause.py'], { timeoutMs: 20_000, started });
    expect(code, out).toBe(0);
    expect(out.split('\n').slice(0, 3)).toEqual(['1', 'got hello', 'done']);
    expect(out).toMatch(/Conclusion: a paused generator keeps its frame \(\d+ bytes here\)/);
  });

  it('tiny-loop: each turn sleeps in select() at most until the next timer, and timers and sockets share the loop', async () => {
    const { code, out } = await runPythonSample(DIR, ['tiny_loop.py', '--delay', '1'], { timeoutMs: 20_000, started });
    expect(code, out).toBe(0);
    const turns = [...out.matchAll(/turn \d+: select\(up to ([\d.]+ s|forever)\): (\d+) socket\(s\), (\d+) timer\(s\) -> run (\d+)/g)];
    expect(turns.length).toBeGreaterThanOrEqual(4);
    for (const t of turns) expect(Number(t[4])).toBe(Number(t[2]) + Number(t[3]) + (t === turns[0] ? 2 : 0)); // the first turn runs the two call_soon()s
    expect(turns.some((t) => Number(t[2]) > 0)).toBe(true); // a socket woke it
    expect(turns.some((t) => Number(t[3]) > 0)).toBe(true); // a timer woke it
    // One thread overlaps the waits: a timer fires while the slow page is still pending,
    // between the two answers (an order of events, whatever the machine's speed).
    expect(out).toMatch(/\/fast\?delay=0\.5: HTTP\/1\.0 200 OK[\s\S]*tick \(a timer\)[\s\S]*\/slow\?delay=1: HTTP\/1\.0 200 OK/);
    const took = Number(/Conclusion: 2 pages and the ticks in ([\d.]+) s, one thread/.exec(out)?.[1]);
    expect(took).toBeGreaterThanOrEqual(0.95); // the slow page's delay is a floor
  });

  it.skipIf(process.platform !== 'linux')('runs through the demo server and stops cleanly while it waits', async () => {
    await inDemoSession({ demo: 'from-scratch', variant: 'hand-made', params: { count: 20, maxDelay: 3 } }, started, async (c, s) => {
      await c.until(() => /\/20\?delay=\S+\s+started/.test(c.text(1)), 15_000, 'all 20 started');
      await stopAndExpectGone(c, [s.pid]);
    });
  });
});
