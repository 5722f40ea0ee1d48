// `doctor` as a presenter runs it the day before: a child process, on this machine, with the
// things a venue breaks broken on purpose — the port taken, a low open-file limit, no Python —
// and, in a temporary copy of the project, a stale, a missing and an unused recording.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect, spawnCli, waitForOutput } from '../helpers/cli.js';
import { killAll } from '../helpers/processes.js';
import { ROOT } from '../helpers/server.js';
import { fingerprint } from '../../server/recording/source-fingerprint.js';
import type { Report } from '../../server/doctor/check.js';

const started: number[] = [];
const dirs: string[] = [];
afterAll(() => {
  killAll(started);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs a command line in a child process; `shell` runs it under /bin/sh (for ulimit). */
async function run(argv: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT) {
  const child = spawn(argv[0]!, argv.slice(1), { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child.pid!);
  const io = collect(child);
  const code = await io.exit;
  return { code, out: io.out(), err: io.err() };
}

const doctor = (args: string[], env: NodeJS.ProcessEnv = {}, root = ROOT) => run([process.execPath, join(root, 'bin/what-is-async.js'), 'doctor', ...args], env, root);

async function doctorJson(args: string[], env: NodeJS.ProcessEnv = {}, root = ROOT): Promise<{ code: number | null; report: Report; check: (id: string) => Report['checks'][number] }> {
  const r = await doctor(['--json', ...args], env, root);
  const report = JSON.parse(r.out) as Report; // one JSON document, nothing else on stdout
  return { code: r.code, report, check: (id) => report.checks.find((c) => c.id === id)! };
}

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

describe('doctor on this machine', () => {
  it('honours PORT as npm start does, fails when it is taken, and then never says Ready', async () => {
    const taken = await listenOn(0);
    const port = (taken.address() as { port: number }).port;
    try {
      const r = await doctor([], { PORT: String(port) });
      expect(r.code).toBe(1);
      expect(r.out).toMatch(new RegExp(`^✗ port ${port} +in use by another program\\n {2}→ stop what uses it, or serve on another: npm start -- --port N`, 'm'));
      expect(r.out).toMatch(/^Not ready: 1 check failed/m);
      expect(r.out).not.toMatch(/Ready:/);
      // --port wins over PORT, as in npm start.
      const other = await doctorJson(['--port', '0'], { PORT: String(port) });
      expect(other.check('port')).toMatchObject({ title: 'port 0', status: 'ok' });
      expect(other.report.port).toBe(0);
    } finally {
      taken.close();
    }
  });

  it('knows the talk’s own server on the port from its instance record', { timeout: 60_000 }, async () => {
    const state = mkdtempSync(join(tmpdir(), 'wia-state-'));
    dirs.push(state);
    const serve = spawnCli(['serve', '--port', '0'], { WIA_STATE_DIR: state });
    started.push(serve.pid!);
    const io = collect(serve);
    try {
      const [, port] = await waitForOutput(io.out, /127\.0\.0\.1:(\d+)\//);
      const { check } = await doctorJson(['--port', port!], { WIA_STATE_DIR: state });
      expect(check('port')).toMatchObject({ status: 'warn', detail: `in use by the talk's own server, already serving (pid ${serve.pid}): http://127.0.0.1:${port}/` });
    } finally {
      serve.kill('SIGTERM');
      await io.exit;
    }
  });

  it('--json is one document with every check, and its exit code follows the failures', async () => {
    const { code, report } = await doctorJson(['--port', '0']);
    expect(report.checks.map((c) => c.id)).toEqual(['node', 'python', 'open-files', 'threads', 'port', 'leftovers', 'state-dir', 'recordings', 'recordings-current', 'recordings-unused', 'browser']);
    for (const c of report.checks) expect(['ok', 'warn', 'fail']).toContain(c.status);
    expect(code).toBe(report.failed ? 1 : 0);
    expect(report.ready).toBe(report.checks.every((c) => c.status === 'ok'));
  });

  it('reads the C10K slide’s connections from the deck and the thread limits against its thread-per-connection terminal', async () => {
    const { check } = await doctorJson(['--port', '0']);
    // 04-c10k.html asks for 10,000 connections on each terminal; the threads one starts one thread each.
    expect(check('open-files').detail).toMatch(/^soft [\d,]+, hard [\d,]+: enough for the 10,000 connections of 04-c10k\.html \(about 10,100 open files a process\)$/);
    // Whether they suffice depends on the threads the whole machine runs now: the verdict must
    // follow its own rows.
    const threads = check('threads');
    expect(threads.detail).toMatch(/^(enough|too low) for about 10,020 threads in one process \(04-c10k\.html #c10k-threads\)$/);
    expect(threads.status === 'fail').toBe(threads.items!.some((i) => i.startsWith('✗')));
    expect(threads.detail.startsWith('enough')).toBe(threads.status === 'ok');
    const limits = threads.items!.join('\n');
    expect(limits).toMatch(/kernel\.threads-max [\d,]+/);
    expect(limits).toMatch(/vm\.max_map_count [\d,]+/);
    expect(limits).toMatch(/RLIMIT_NPROC [\d,]+/);
    // The machine's own figures, read independently.
    const threadsMax = Number(readFileSync('/proc/sys/kernel/threads-max', 'utf8'));
    expect(limits).toContain(`kernel.threads-max ${threadsMax.toLocaleString('en-US')}`);
  });

  it('fails a lowered open-file limit and says how to raise it, rather than "unknown" or a pass', async () => {
    const r = await run(['/bin/sh', '-c', `ulimit -n 256 && exec "${process.execPath}" bin/what-is-async.js doctor --port 0`], {});
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^✗ open-file limit +soft 256, hard 256: too low for the 10,000 connections of 04-c10k\.html/m);
    expect(r.out).toMatch(/→ in the shell that runs npm start: "ulimit -n 10240"/);
    expect(r.out).not.toMatch(/Ready:/);
  });

  it('fails a missing Python, naming WIA_PYTHON, and still checks the rest', async () => {
    const { code, check } = await doctorJson(['--port', '0'], { WIA_PYTHON: '/nonexistent/python3' });
    expect(code).toBe(1);
    expect(check('python')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/Python 3\.8 or newer was not found \(looked for "\/nonexistent\/python3" from WIA_PYTHON\)/) as string });
    expect(check('open-files').status).not.toBe('warn'); // the limit is read without Python
  });

  it('names a browser path that does not exist', async () => {
    const { check } = await doctorJson(['--port', '0'], { CHROME_PATH: '/nonexistent/chrome' });
    expect(check('browser')).toMatchObject({ status: 'warn', detail: 'CHROME_PATH is /nonexistent/chrome, and there is no such file' });
  });
});

describe('doctor on a copy of the project', () => {
  let copy: string;
  const demos = () => join(copy, 'demos');
  const rec = (demo: string, file: string) => join(demos(), demo, 'recordings', file);
  const recent = new Date('2026-06-01T00:00:00Z');

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'wia-project-'));
    dirs.push(copy);
    for (const part of ['bin', 'server', 'shared', 'demos', 'slides/chapters', 'package.json', 'tsconfig.json']) cpSync(join(ROOT, part), join(copy, part), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    // The thread slide's 10,000 threads depend on how many threads the rest of this shared
    // machine runs (pid_max); capped at 1,000 in the copy, "Ready" depends on doctor alone.
    const manifest = join(copy, 'demos/c10k/demo.json');
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { params: { maxThreads: { default: number } } };
    m.params.maxThreads.default = 1000;
    writeFileSync(manifest, JSON.stringify(m, null, 2));
    // The manifest is one of the sources a recording's fingerprint covers: the copy's c10k
    // recordings stay current with the cap, as if recorded with it.
    for (const file of readdirSync(join(demos(), 'c10k/recordings')).filter((f) => f.endsWith('.cast'))) {
      const [head, ...rest] = readFileSync(rec('c10k', file), 'utf8').split('\n');
      const header = JSON.parse(head!) as { what_is_async: Record<string, unknown> };
      if (!header.what_is_async.sources) continue;
      header.what_is_async.sources = fingerprint(demos(), 'c10k');
      writeFileSync(rec('c10k', file), [JSON.stringify(header), ...rest].join('\n'));
    }
    // A copy is no git checkout: staleness goes by fingerprints, else file times. Make every
    // recording newer than every source, so the copy starts out current.
    const old = new Date('2026-01-01T00:00:00Z');
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir)) {
        const p = join(dir, e);
        if (statSync(p).isDirectory()) walk(p);
        else utimesSync(p, dir.endsWith('recordings') ? recent : old, dir.endsWith('recordings') ? recent : old);
      }
    };
    walk(demos());
    // An old recording of parameters no slide sets (as hello@count=3,delay=0.5 was).
    for (const ext of ['cast', 'metrics.jsonl']) cpSync(rec('hello', `blocking.${ext}`), rec('hello', `blocking@count=9.${ext}`), { preserveTimestamps: true });
  });

  it('is Ready when everything passes, once --prune has removed what no slide uses', { timeout: 60_000 }, async () => {
    const ours = readdirSync(join(ROOT, 'demos/hello/recordings'));
    const before = await doctorJson(['--port', '0'], {}, copy);
    expect(before.check('recordings-unused')).toMatchObject({ status: 'warn', detail: '1 recording no slide uses and record no longer makes' });
    expect(before.check('recordings-unused').items).toEqual(['hello/recordings/blocking@count=9.cast, blocking@count=9.metrics.jsonl']);
    expect(before.report.ready).toBe(false);

    const pruned = await doctor(['--port', '0', '--prune'], {}, copy);
    expect(pruned.out).toMatch(/^✓ unused recordings +removed 1 recording no slide uses$/m);
    expect(existsSync(rec('hello', 'blocking@count=9.cast'))).toBe(false);
    expect(existsSync(rec('hello', 'blocking@count=9.metrics.jsonl'))).toBe(false);
    expect(existsSync(rec('hello', 'blocking.cast'))).toBe(true); // a slide's own stays
    expect(readdirSync(join(ROOT, 'demos/hello/recordings'))).toEqual(ours); // the project's own are untouched

    const after = await doctor(['--port', '0'], {}, copy);
    expect(after.code).toBe(0);
    expect(after.out.trim().split('\n').at(-1)).toBe('Ready: npm start serves the talk.');
    expect(after.out).not.toMatch(/^[!✗]/m);
  });

  it('names a stale recording by its fingerprint, one by file times, a missing one, and an unused one', { timeout: 60_000 }, async () => {
    // hello/blocking: give its recording the fingerprint of today's sources, then change one.
    const cast = rec('hello', 'blocking.cast');
    const [head, ...rest] = readFileSync(cast, 'utf8').split('\n');
    const header = JSON.parse(head!) as { what_is_async: Record<string, unknown> };
    header.what_is_async.sources = fingerprint(demos(), 'hello');
    writeFileSync(cast, [JSON.stringify(header), ...rest].join('\n'));
    appendFileSync(join(demos(), 'hello', 'slow_line_server.py'), '\n# changed after the recording\n');
    // blocking-loop: no fingerprint; its source is now newer than its recordings.
    utimesSync(join(demos(), 'blocking-loop', 'run.py'), new Date(), new Date());
    // races/threads, as its slide runs it: gone.
    rmSync(rec('races', 'threads@rounds=3.cast'));
    // An old recording of parameters no slide sets.
    cpSync(rec('busy-wait', 'busy.cast'), rec('busy-wait', 'busy@delay=9.cast'));

    const { code, report, check } = await doctorJson(['--port', '0'], {}, copy);
    expect(code).toBe(1);
    expect(report.ready).toBe(false);
    // (However many the deck's slides replay: adding a slide must not break this test.)
    expect(check('recordings')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^1 of the \d+ the slides replay are missing or unreadable$/) as string });
    expect(check('recordings').items).toEqual(['races/threads@rounds=3 (13-vs-threads.html #races-threads): no threads@rounds=3.cast']);
    expect(check('recordings').fix).toBe('re-record: "npm run record -- races threads"');

    const stale = check('recordings-current');
    expect(stale.status).toBe('warn');
    expect(stale.items).toEqual([
      // Its other variant shares that server, and has a fingerprint too.
      expect.stringMatching(/^hello: blocking, selectors — hello\/slow_line_server\.py changed; recording made \d{4}-\d\d-\d\d$/) as string,
      expect.stringMatching(/^blocking-loop: blocking@clients=3,sleep=2, non-blocking@clients=3,sleep=2 — blocking-loop\/run\.py modified \d{4}-\d\d-\d\d; recording modified 2026-06-01$/) as string,
    ]);
    expect(stale.detail).toMatch(/^\d+ of \d+ are older than their demo's sources, by source fingerprint and file times \(recordings made before record wrote a source fingerprint\): a replay shows what older code did$/);
    expect(stale.fix).toBe('re-record with "npm run record -- <demo> [variant]" for: hello, blocking-loop (or "npm run record" for all)');
    expect(check('recordings-unused').items).toEqual(['busy-wait/recordings/busy@delay=9.cast']);
  });
});
