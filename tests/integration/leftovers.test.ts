// Nothing is left behind when a server dies hard: a real server in a child process is
// SIGKILLed while a demo with a grandchild in its own session runs, and the next start ends
// what it left, by pid, and says so. And the sweep never ends a process that only shares a
// pid with something it recorded.
import { describe, it, expect, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli, collect, waitForOutput } from '../helpers/cli.js';
import { TestClient } from '../helpers/ws-client.js';
import { isRunning, waitGone, killAll } from '../helpers/processes.js';
import { ROOT } from '../helpers/server.js';
import { sweepLeftovers } from '../../server/instance/leftovers.js';
import { writeRecord, instancesDir, type InstanceRecord } from '../../server/instance/instance-record.js';
import { startOf } from '../../server/instance/process-table.js';
import { namespaceOf } from '../../server/instance/demo-instance.js';

const started: number[] = [];
const dirs: string[] = [];
afterAll(() => {
  killAll(started);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempStateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'wia-state-'));
  dirs.push(d);
  return d;
}

/** The session id of a process: field 6 of /proc/<pid>/stat. */
const sessionOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[3]);

/** A process of the test's own that sleeps; detached (its own session), as a setsid grandchild is. */
function sleeper(env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore', env: { ...process.env, ...env } });
  started.push(child.pid!);
  return child;
}

/** A pid that was a process a moment ago and is no longer one. */
function deadPid(): number {
  return spawnSync('true').pid!;
}

function record(dir: string, r: Partial<InstanceRecord> & Pick<InstanceRecord, 'owner' | 'sessions'>): InstanceRecord {
  const full: InstanceRecord = { version: 1, marker: `${r.owner.pid}.${r.owner.start}.${namespaceOf(dir)}.${'ab'.repeat(8)}`, command: 'serve', port: 3701, startedAt: new Date().toISOString(), ...r };
  writeRecord(full, dir);
  return full;
}

describe('a server killed with SIGKILL', () => {
  it('leaves nothing: the next start ends its demos, a setsid grandchild too, and says which', { timeout: 60_000 }, async () => {
    const state = tempStateDir();
    const env = { ...process.env, WIA_STATE_DIR: state };
    const first = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/servers/fixture-demos-server.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(first.pid!);
    const firstIo = collect(first);
    const [, port] = await waitForOutput(firstIo.out, /listening (\d+)/, 30_000);

    const c = await TestClient.connect(Number(port));
    c.send({ type: 'start', session: 1, demo: 'sleeper', params: { seconds: 60 }, cols: 80, rows: 24 });
    await c.message('started', 1);
    await c.until(() => /pids \d+ \d+ \d+/.test(c.text(1)), 15_000, 'the tree printing its pids');
    const pids = /pids (\d+) (\d+) (\d+)/.exec(c.text(1))!.slice(1).map(Number);
    started.push(...pids);
    const [leader, , grandchild] = pids as [number, number, number];
    expect(sessionOf(grandchild)).not.toBe(sessionOf(leader)); // it left the PTY's session
    expect(readdirSync(instancesDir(state))).toHaveLength(1); // the server's record, naming its session

    first.kill('SIGKILL');
    await firstIo.exit;
    // The PTY's hangup ends the leader's own session; the grandchild in its own session lives on.
    await waitGone([leader], 3000);
    expect(isRunning(grandchild)).toBe(true);

    const next = spawnCli(['serve', '--port', '0'], { WIA_STATE_DIR: state });
    started.push(next.pid!);
    const io = collect(next);
    try {
      await waitForOutput(io.out, /➜ {2}http:\/\/127\.0\.0\.1:\d+\//, 60_000);
      const said = io.out();
      const [, count] = new RegExp(`^Ended (\\d+) demo process(?:es)? left by a serve \\(pid ${first.pid}, port ${port}, started [\\d-]+ [\\d:]+\\) that stopped without ending them:$`, 'm').exec(said) ?? [];
      const listed = [...said.matchAll(/^ {2}(\d+) {2}\S*python\S* -c import time,sys; time\.sleep/gm)].map((m) => Number(m[1]));
      expect(listed).toContain(grandchild);
      expect(listed.length).toBe(Number(count));
      for (const pid of listed) expect(pids).toContain(pid);
      expect(await waitGone(pids, 3000)).toEqual([]);
      // The dead server's record is gone; the new server's own is there.
      const records = readdirSync(instancesDir(state)).map((f) => JSON.parse(readFileSync(join(instancesDir(state), f), 'utf8')) as InstanceRecord);
      expect(records.map((r) => r.owner.pid)).toEqual([next.pid]);
    } finally {
      next.kill('SIGTERM');
      await io.exit;
    }
    // A clean exit with no demo running leaves no record behind.
    expect(readdirSync(instancesDir(state))).toEqual([]);
  });
});

describe('the sweep', () => {
  it('never ends a process whose pid a dead instance recorded but whose start time differs', async () => {
    const state = tempStateDir();
    const victim = sleeper();
    const start = startOf(victim.pid!)!;
    expect(start).toMatch(/^\d+$/);
    record(state, { owner: { pid: deadPid(), start: '1' }, sessions: [{ pid: victim.pid!, start: String(Number(start) + 1) }] });
    const results = await sweepLeftovers({ dir: state, graceMs: 100 });
    expect(results.flatMap((r) => r.ended)).toEqual([]);
    expect(isRunning(victim.pid!)).toBe(true);
    expect(readdirSync(instancesDir(state))).toEqual([]); // nothing was left of that instance: its record is cleared

    // The same record with the right start time: that process is the instance's, and is ended.
    record(state, { owner: { pid: deadPid(), start: '1' }, sessions: [{ pid: victim.pid!, start }] });
    const ended = (await sweepLeftovers({ dir: state, graceMs: 100 })).flatMap((r) => r.ended);
    expect(ended.map((l) => l.pid)).toEqual([victim.pid]);
    expect(await waitGone([victim.pid!], 2000)).toEqual([]);
  });

  it('takes an owner whose pid now belongs to another process for dead, and leaves that process alone', async () => {
    const state = tempStateDir();
    const reused = sleeper(); // holds the pid the dead owner had
    const demo = sleeper();
    record(state, { owner: { pid: reused.pid!, start: String(Number(startOf(reused.pid!)) - 1) }, sessions: [{ pid: demo.pid!, start: startOf(demo.pid!)! }] });
    const ended = (await sweepLeftovers({ dir: state, graceMs: 100 })).flatMap((r) => r.ended);
    expect(ended.map((l) => l.pid)).toEqual([demo.pid]);
    expect(await waitGone([demo.pid!], 2000)).toEqual([]);
    expect(isRunning(reused.pid!)).toBe(true);
  });

  it('finds demos by their marker alone, with no record, only when their owner is gone, and only its state folder’s', async () => {
    const state = tempStateDir();
    const ns = namespaceOf(state);
    const me = `${process.pid}.${startOf(process.pid)}.${ns}.${'cd'.repeat(8)}`;
    const gone = `${deadPid()}.1.${ns}.${'ef'.repeat(8)}`;
    const mine = sleeper({ WIA_INSTANCE: me });
    const orphan = sleeper({ WIA_INSTANCE: gone });
    const elsewhere = sleeper({ WIA_INSTANCE: `${deadPid()}.1.${namespaceOf(tempStateDir())}.${'ef'.repeat(8)}` });
    const results = await sweepLeftovers({ dir: state, graceMs: 100 });
    const ended = results.flatMap((r) => r.ended);
    expect(ended.map((l) => [l.pid, l.by, l.command])).toEqual([[orphan.pid, 'marker', 'sleep 60']]);
    expect(await waitGone([orphan.pid!], 2000)).toEqual([]);
    expect(isRunning(mine.pid!)).toBe(true); // its owner, this test, is alive
    expect(isRunning(elsewhere.pid!)).toBe(true); // another state folder's: its own sweeps end it
    expect(existsSync(instancesDir(state))).toBe(false); // a sweep writes nothing
  });
});
