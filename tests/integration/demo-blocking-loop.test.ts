// Demo "blocking-loop": the real samples, run directly and through the demo server.
// Point: one time.sleep() inside a chat handler freezes every client for the whole sleep;
// `await asyncio.sleep()` in the same place makes only the client that asked wait.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startTestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { killAll, waitGone } from '../helpers/processes.js';
import { findPython } from '../../server/registry/python.js';

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
}

function run(mode: string): Promise<Run> {
  const python = findPython();
  if (!python.ok) throw new Error(python.message);
  return new Promise((done, fail) => {
    const child = spawn(python.path, ['run.py', mode, '--sleep', String(SLEEP), '--clients', '3', '--json'], {
      cwd: DIR,
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
      detached: true, // its own process group: afterAll can end it and its children
    });
    started.push(child.pid!);
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 25_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      const json = out.split('\n').find((l) => l.startsWith('{"sleep"'));
      const answered = /sam: \/slow answered after ([\d.]+) s/.exec(out);
      done({
        code,
        out,
        maxLatency: json ? (JSON.parse(json) as { maxLatency: Record<string, number> }).maxLatency : {},
        answeredAfter: answered ? Number(answered[1]) : NaN,
      });
    });
  });
}

function killGroups(): void {
  for (const pid of started) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  killAll(started);
}

describe('demo blocking-loop: one blocking call stalls every client', () => {
  afterAll(killGroups);

  let blocking: Run, nonBlocking: Run;
  beforeAll(async () => {
    [blocking, nonBlocking] = await Promise.all([run('blocking'), run('non-blocking')]);
    console.log('blocking-loop figures', JSON.stringify({ sleep: SLEEP, blocking: blocking.maxLatency, nonBlocking: nonBlocking.maxLatency }));
  }, 40_000);

  it('blocking: every other client waits about as long as the sleep', () => {
    expect(blocking.code, blocking.out).toBe(0);
    expect(blocking.out).not.toMatch(/Traceback|Error/);
    expect(blocking.out).toMatch(/server: \/slow: time\.sleep\(1\.5\), the whole loop waits/);
    expect(blocking.answeredAfter).toBeGreaterThanOrEqual(0.9 * SLEEP);
    const worst = Object.values(blocking.maxLatency);
    expect(worst, blocking.out).toHaveLength(3);
    for (const w of worst) expect(w, blocking.out).toBeGreaterThanOrEqual(0.8 * SLEEP);
    expect(blocking.out.trim().split('\n').pop()).toMatch(/^Conclusion: everyone froze/);
  });

  it('non-blocking: only the client that asked waits; the others do not notice', () => {
    expect(nonBlocking.code, nonBlocking.out).toBe(0);
    expect(nonBlocking.out).not.toMatch(/Traceback|Error/);
    expect(nonBlocking.out).toMatch(/server: \/slow: await asyncio\.sleep\(1\.5\), only this client waits/);
    expect(nonBlocking.answeredAfter).toBeGreaterThanOrEqual(0.9 * SLEEP);
    const worst = Object.values(nonBlocking.maxLatency);
    expect(worst, nonBlocking.out).toHaveLength(3);
    expect(Math.max(...worst), nonBlocking.out).toBeLessThanOrEqual(0.3 * SLEEP);
    expect(nonBlocking.out.trim().split('\n').pop()).toMatch(/^Conclusion: nobody else waited/);
  });

  it('runs through the demo server, the meters follow the chat server, and Stop ends it mid-sleep', async () => {
    const server = await startTestServer();
    try {
      const c = await TestClient.connect(server.port);
      c.send({ type: 'start', session: 1, demo: 'blocking-loop', variant: 'blocking', params: { sleep: 5 }, cols: 80, rows: 24 });
      const s = await c.message('started', 1);
      started.push(s.pid);
      await c.until(() => /time\.sleep\(5\), the whole loop waits/.test(c.text(1)), 15_000, 'the blocking sleep');
      const m = await c.until(
        () => c.messages.find((x) => x.type === 'metrics' && x.session === 1 && x.underTest.pid !== s.pid),
        10_000,
        'metrics of the chat server',
      );
      if (m.type !== 'metrics') throw new Error('not metrics');
      expect(m.underTest.match).toBe('chat_server.py');
      started.push(m.underTest.pid);
      c.send({ type: 'stop', session: 1 });
      expect((await c.message('exit', 1)).reason).toBe('stopped');
      expect(await waitGone([s.pid, m.underTest.pid], 1000)).toEqual([]);
      expect(c.text(1)).not.toMatch(/Traceback/);
      await c.close();
    } finally {
      await server.close();
    }
  });
});
