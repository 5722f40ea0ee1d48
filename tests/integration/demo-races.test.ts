// Demo "races": the real sample, run directly and through the demo server.
// Point: threads that read a shared counter, add one and write it back lose updates (a thread
// can be switched out between the read and the write); asyncio tasks with no await inside
// the increment never do. The lock fixes threads; an await inside the increment breaks tasks.
//
// Since Python 3.10 the GIL is only handed over at some points (a call, a loop's jump back),
// so a plain `counter += 1` loses nothing on 3.10+, and does on 3.8 and 3.9: the variant
// threads-plain shows which. The sample puts a call between the read and the write (the
// switch lands there, on every version) and sets sys.setswitchinterval(1e-6) so it happens
// within seconds. Every CPython 3.8+ found on this machine (python3, and pyenv's) is run.
import { resolve } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/server.js';
import { killGroups } from '../helpers/processes.js';
import { runPythonSample } from '../helpers/python-sample.js';
import { inDemoSession, stopAndExpectGone } from '../helpers/demo-session.js';

const DIR = resolve(ROOT, 'demos/races');
const WORKERS = 4;
const INCREMENTS = 100_000;
const EXPECTED = WORKERS * INCREMENTS;
const started: number[] = [];

interface Run {
  code: number | null;
  out: string;
  /** the counter after each round (from the --json line) */
  actual: number[];
}

async function run(mode: string, rounds = 5): Promise<Run> {
  const argv = ['races.py', mode, '--workers', String(WORKERS), '--increments', String(INCREMENTS), '--rounds', String(rounds), '--json'];
  const { code, out, json } = await runPythonSample<{ actual: number[] }>(DIR, argv, { timeoutMs: 40_000, started });
  return { code, out, actual: json ? json.actual : [] };
}

/** Every CPython 3.8+ here: its version and whether it has the GIL. */
function pythons(): { path: string; version: [number, number]; gil: boolean }[] {
  const root = process.env.PYENV_ROOT ?? resolve(homedir(), '.pyenv');
  const paths = existsSync(resolve(root, 'versions'))
    ? readdirSync(resolve(root, 'versions')).map((v) => resolve(root, 'versions', v, 'bin/python3')).filter(existsSync)
    : [];
  return paths.flatMap((path) => {
    try {
      const [maj, min, gil] = execFileSync(path, ['-c', 'import sys; print(*sys.version_info[:2], int(getattr(sys, "_is_gil_enabled", lambda: True)()))'], { encoding: 'utf8', timeout: 10_000 }).trim().split(' ').map(Number);
      return maj === 3 && min! >= 8 ? [{ path, version: [maj, min!] as [number, number], gil: gil === 1 }] : [];
    } catch {
      return [];
    }
  });
}

describe('demo races: threads lose updates, coroutines do not', () => {
  afterAll(() => killGroups(started));

  it('threads without a lock lose updates', async () => {
    let lost = 0;
    const outs: string[] = [];
    for (let attempt = 0; attempt < 3 && lost === 0; attempt++) {
      const r = await run('threads');
      outs.push(r.out);
      expect(r.code, r.out).toBe(0);
      expect(r.actual, r.out).toHaveLength(5);
      for (const a of r.actual) {
        expect(a).toBeGreaterThan(0);
        expect(a).toBeLessThanOrEqual(EXPECTED); // updates are lost, never invented
      }
      lost = Math.max(...r.actual.map((a) => EXPECTED - a));
      if (lost > 0) expect(r.out.trim().split('\n').pop()).toMatch(/^Conclusion: threads lost updates in \d+ of 5 rounds/);
    }
    console.log(`races: threads lost up to ${lost} of ${EXPECTED} after ${outs.length} run(s)`);
    expect(lost, outs.join('\n---\n')).toBeGreaterThan(0);
  }, 60_000);

  it('coroutines with no await inside the increment are exact, every round', async () => {
    const r = await run('coroutines');
    expect(r.code, r.out).toBe(0);
    expect(r.actual, r.out).toEqual([EXPECTED, EXPECTED, EXPECTED, EXPECTED, EXPECTED]);
    expect(r.out.trim().split('\n').pop()).toBe(`Conclusion: coroutines lost nothing: ${EXPECTED.toLocaleString('en-US')} every round.`);
  }, 40_000);

  it('threads with a lock are exact', async () => {
    const r = await run('threads-lock', 2);
    expect(r.code, r.out).toBe(0);
    expect(r.actual, r.out).toEqual([EXPECTED, EXPECTED]);
  }, 40_000);

  it('coroutines with an await between the read and the write lose updates again', async () => {
    const r = await run('coroutines-await', 1);
    expect(r.code, r.out).toBe(0);
    expect(r.actual, r.out).toHaveLength(1);
    expect(r.actual[0]!).toBeLessThan(EXPECTED);
  }, 40_000);

  it('threads-plain: a bare counter += 1 loses nothing on CPython 3.10+ with the GIL, and says why', async () => {
    const r = await run('threads-plain', 3);
    expect(r.code, r.out).toBe(0);
    const [, maj, min] = /^Python (\d+)\.(\d+)/m.exec(r.out) ?? [];
    expect(maj, r.out).toBe('3');
    if (Number(min) >= 10 && /\(GIL\)/.test(r.out)) {
      expect(r.actual).toEqual([EXPECTED, EXPECTED, EXPECTED]);
      expect(r.out).toMatch(/CPython 3\.10\+ never switches inside counter \+= 1:\nluck, not a promise/);
    }
  });

  it('on every CPython 3.8+ here: the call loses updates, counter += 1 only before 3.10, coroutines never', async () => {
    const found = pythons();
    const seen: string[] = [];
    for (const py of found) {
      const go = async (mode: string) => {
        const argv = ['races.py', mode, '--workers', '4', '--increments', '50000', '--rounds', '3', '--json'];
        for (let attempt = 0; attempt < 3; attempt++) {
          const { spawnSync } = await import('node:child_process');
          const p = spawnSync(py.path, argv, { cwd: DIR, encoding: 'utf8', timeout: 30_000 });
          const json = JSON.parse(p.stdout.split('\n').find((l) => l.startsWith('{')) ?? '{"actual": []}') as { actual: number[] };
          const lost = json.actual.map((a) => 200_000 - a);
          if (mode !== 'threads' && mode !== 'threads-plain') return lost;
          if (lost.some((l) => l > 0) || attempt === 2) return lost;
        }
        return [];
      };
      const [call, plain, tasks] = [await go('threads'), await go('threads-plain'), await go('coroutines')];
      const v = py.version.join('.');
      seen.push(`${v}${py.gil ? '' : 't'}: call lost ${Math.max(...call)}, += 1 lost ${Math.max(...plain)}, coroutines lost ${Math.max(...tasks)}`);
      expect(Math.max(...call), v).toBeGreaterThan(0);
      expect(tasks, v).toEqual([0, 0, 0]);
      if (py.gil && py.version[1] >= 10) expect(plain, v).toEqual([0, 0, 0]);
      else expect(Math.max(...plain), v).toBeGreaterThan(0); // 3.8, 3.9, and free-threaded builds
    }
    console.log(`races on ${found.length} Pythons:\n  ${seen.join('\n  ')}`);
  }, 120_000);

  it('runs through the demo server, and Stop ends it at once', async () => {
    await inDemoSession({ demo: 'races', variant: 'coroutines-await', params: { increments: 500000, rounds: 10 } }, started, async (c, s) => {
      await c.until(() => /4 tasks x 500,000 increments/.test(c.text(1)), 15_000, 'the first line');
      await stopAndExpectGone(c, [s.pid]);
    });
  });
});
