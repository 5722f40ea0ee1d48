// Demo "blocking-loop": the real samples, run directly and through the demo server.
// Point: one time.sleep() inside a chat handler freezes every client for the whole sleep;
// `await asyncio.sleep()` in the same place makes only the client that asked wait.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/server.js';
import { killGroups } from '../helpers/processes.js';
import { runPythonSample } from '../helpers/python-sample.js';
import { inDemoSession, serverUnderTestMetrics, stopAndExpectGone } from '../helpers/demo-session.js';

const DIR = resolve(ROOT, 'demos/blocking-loop');
const SLEEP = 1.5;
const started: number[] = [];

interface Run {
  code: number | null;
  out: string;
  /** the slowest ping each client received, in seconds (from the --json line) */
  maxLatency: Record<string, number>;
  /** how long sam's /slow took to answer, in seconds */
  answeredAfter: number;
  /** of the pings sent while /slow waited, the share passed on to the others before it was answered */
  passedDuringSlow: number;
  /** pings sent while /slow waited */
  sentDuringSlow: number;
}

async function run(mode: string): Promise<Run> {
  const argv = ['run.py', mode, '--sleep', String(SLEEP), '--clients', '3', '--json'];
  type Json = { maxLatency: Record<string, number>; duringSlow: { sent: number; passedOn: number; receivers: number } };
  const { code, out, json } = await runPythonSample<Json>(DIR, argv, { timeoutMs: 25_000, started });
  const answered = /sam: \/slow answered after ([\d.]+) s/.exec(out);
  const during = json?.duringSlow;
  return {
    code,
    out,
    maxLatency: json ? json.maxLatency : {},
    answeredAfter: answered ? Number(answered[1]) : NaN,
    passedDuringSlow: during && during.sent > 0 ? during.passedOn / (during.sent * during.receivers) : NaN,
    sentDuringSlow: during?.sent ?? 0,
  };
}

describe('demo blocking-loop: one blocking call stalls every client', () => {
  afterAll(() => killGroups(started));

  let blocking: Run, nonBlocking: Run;
  beforeAll(async () => {
    [blocking, nonBlocking] = await Promise.all([run('blocking'), run('non-blocking')]);
    console.log('blocking-loop figures', JSON.stringify({ sleep: SLEEP, blocking: [blocking.maxLatency, blocking.passedDuringSlow], nonBlocking: [nonBlocking.maxLatency, nonBlocking.passedDuringSlow] }));
  }, 40_000);

  // The sleep is a lower bound whatever the machine does; how long a ping takes on top of it
  // is not, so the "nobody waited" side is told by what passed, not by how fast.
  it('blocking: every other client waits at least about as long as the sleep, and no ping passes meanwhile', () => {
    expect(blocking.code, blocking.out).toBe(0);
    expect(blocking.out).not.toMatch(/Traceback|Error/);
    expect(blocking.out).toMatch(/server: \/slow: time\.sleep\(1\.5\), the whole loop waits/);
    expect(blocking.answeredAfter).toBeGreaterThanOrEqual(0.9 * SLEEP);
    const worst = Object.values(blocking.maxLatency);
    expect(worst, blocking.out).toHaveLength(3);
    for (const w of worst) expect(w, blocking.out).toBeGreaterThanOrEqual(0.8 * SLEEP);
    expect(blocking.sentDuringSlow, blocking.out).toBeGreaterThanOrEqual(3);
    expect(blocking.passedDuringSlow, blocking.out).toBeLessThanOrEqual(0.2);
    expect(blocking.out.trim().split('\n').pop()).toMatch(/^Conclusion: everyone froze/);
  });

  it('non-blocking: only the client that asked waits; the others’ pings pass on meanwhile', () => {
    expect(nonBlocking.code, nonBlocking.out).toBe(0);
    expect(nonBlocking.out).not.toMatch(/Traceback|Error/);
    expect(nonBlocking.out).toMatch(/server: \/slow: await asyncio\.sleep\(1\.5\), only this client waits/);
    expect(nonBlocking.answeredAfter).toBeGreaterThanOrEqual(0.9 * SLEEP);
    const worst = Object.values(nonBlocking.maxLatency);
    expect(worst, nonBlocking.out).toHaveLength(3);
    expect(nonBlocking.sentDuringSlow, nonBlocking.out).toBeGreaterThanOrEqual(3);
    expect(nonBlocking.passedDuringSlow, nonBlocking.out).toBeGreaterThanOrEqual(0.7);
    expect(nonBlocking.out.trim().split('\n').pop()).toMatch(/^Conclusion: nobody else waited/);
  });

  it('runs through the demo server, the meters follow the chat server, and Stop ends it mid-sleep', async () => {
    await inDemoSession({ demo: 'blocking-loop', variant: 'blocking', params: { sleep: 5 } }, started, async (c, s) => {
      await c.until(() => /time\.sleep\(5\), the whole loop waits/.test(c.text(1)), 15_000, 'the blocking sleep');
      const m = await serverUnderTestMetrics(c, s.pid, 'metrics of the chat server');
      expect(m.underTest.match).toBe('chat_server.py');
      started.push(m.underTest.pid);
      await stopAndExpectGone(c, [s.pid, m.underTest.pid]);
    });
  });
});
