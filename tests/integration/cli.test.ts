// The command line as a user runs it: a child process (in a real PTY where the terminal
// matters), its output, exit codes, and that nothing it started is left behind.
import { describe, it, expect, afterAll } from 'vitest';
import pty from '@lydell/node-pty';
import { spawnCli, collect } from '../helpers/cli.js';
import { ROOT } from '../helpers/server.js';
import { waitGone, killAll } from '../helpers/processes.js';
import { descendants } from '../../server/session/process-tree.js';

const started: number[] = [];
afterAll(() => killAll(started));

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawnCli(args, env);
  started.push(child.pid!);
  const io = collect(child);
  const code = await io.exit;
  return { code, out: io.out(), err: io.err() };
}

describe('list', () => {
  it('shows demos, variants and parameters with bounds and defaults', async () => {
    const r = await cli(['list']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^hello — /m);
    expect(r.out).toMatch(/variant blocking \(default\): /);
    expect(r.out).toMatch(/--count <1\.\.10> .*\(default 3\)/);
  });

  it('speaks JSON', async () => {
    const demos = JSON.parse((await cli(['list', '--json'])).out) as { id: string; params: Record<string, { min?: number }> }[];
    expect(demos.find((d) => d.id === 'hello')?.params.count?.min).toBe(1);
  });
});

describe('run', () => {
  it('runs a demo, then prints a summary table', async () => {
    const r = await cli(['run', 'hello', 'selectors', '--count', '2', '--delay', '1']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/2 requests in/);
    expect(r.out).toMatch(/hello · selectors/);
    expect(r.out).toMatch(/peak memory \(RSS\)\s+\d+(\.\d+)? MiB/);
    expect(r.out).toMatch(/ended\s+exited normally \(code 0\)/);
  });

  it('--json prints one metrics object a line and a summary; the demo talks on stderr', async () => {
    const r = await cli(['run', 'hello', 'blocking', '--count', '3', '--delay', '0.3', '--json']);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const metrics = lines.filter((l) => l.type === 'metrics');
    expect(metrics.length).toBeGreaterThanOrEqual(2);
    expect(metrics[0]).toMatchObject({ demo: 'hello', variant: 'blocking' });
    // The first sample may catch the process between fork and exec; later ones see Python.
    expect(Math.max(...metrics.map((m) => m.rssBytes as number))).toBeGreaterThan(5e6);
    expect(lines.at(-1)).toMatchObject({ type: 'summary', demo: 'hello', exit: { code: 0 } });
    expect(r.err).toMatch(/3 requests in/);
  });

  it.each([
    [['run'], /run needs a demo; demos: .*hello/],
    [['run', 'nope'], /unknown demo "nope"; demos: .*hello/],
    [['run', 'hello', 'threads'], /demo "hello" has no variant "threads"; its variants: blocking, selectors/],
    [['run', 'hello', '--count', '99'], /parameter "count" must be from 1 to 10; got 99/],
    [['run', 'hello', '--colour', 'red'], /demo "hello" has no parameter --colour; its parameters: --count, --delay/],
    [['run', 'hello', '--count'], /--count needs a value/],
    [['compare', 'hello', 'blocking', 'selectors', 'x'], /at most 2 variants/],
    [['frobnicate'], /unknown command "frobnicate"; commands: list, run, compare, record, serve, doctor/],
  ])('%j exits 2 naming the problem and the choices', async (args, pattern) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(pattern);
  });

  it.each(['run', 'compare', 'list', 'serve', 'doctor'])('%s --help', async (cmd) => {
    const r = await cli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`Usage: what-is-async ${cmd}`));
  });
});

describe('compare', () => {
  it('runs two variants in turn and prints them side by side', async () => {
    const r = await cli(['compare', 'hello', '--count', '3', '--delay', '0.2']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/━━ hello · blocking ━━[\s\S]*━━ hello · selectors ━━/);
    expect(r.out).toMatch(/^hello\s+blocking\s+selectors$/m);
    expect(r.out).toMatch(/peak memory blocking ÷ selectors: \d/);
  });

  it('--json ends with a comparison object', async () => {
    const r = await cli(['compare', 'hello', 'selectors', 'blocking', '--count', '2', '--delay', '0.1', '--json']);
    const last = JSON.parse(r.out.trim().split('\n').at(-1)!) as { type: string; a: { variant: string }; b: { variant: string } };
    expect(last).toMatchObject({ type: 'compare', a: { variant: 'selectors' }, b: { variant: 'blocking' } });
  });
});

describe('in a real terminal', () => {
  it('keeps a live meter on the bottom row, and Ctrl-C stops everything', async () => {
    const term = pty.spawn(process.execPath, ['bin/what-is-async.js', 'run', 'chat', 'asyncio', '--bots', '1', '--interval', '1'], {
      cols: 100,
      rows: 20,
      cwd: ROOT,
      env: process.env as Record<string, string>,
    });
    started.push(term.pid);
    let screen = '';
    term.onData((d) => (screen += d));
    const exited = new Promise<number>((r) => term.onExit((e) => r(e.exitCode)));
    const until = async (re: RegExp, ms = 15_000) => {
      const deadline = Date.now() + ms;
      while (!re.test(screen)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; screen:\n${screen.slice(-1500)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until(/Chat room on 127\.0\.0\.1/);
    // The meter is painted on row 20 (the last) in reverse video.
    await until(/\x1b\[20;1H\x1b\[2K\x1b\[7m chat · asyncio · mem [\d.]+ MiB · 1 threads/);
    const demoPids = descendants(term.pid);
    expect(demoPids.length).toBeGreaterThan(0);
    started.push(...demoPids);
    term.write('\x03');
    expect(await exited).toBe(0); // the chat treats Ctrl-C as its normal way out
    expect(screen).toMatch(/peak memory \(RSS\)/);
    expect(await waitGone(demoPids, 2000)).toEqual([]);
  });
});

describe('doctor', () => {
  it('checks the machine and says all is ready here', async () => {
    const r = await cli(['doctor', '--port', '0']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/✓ Node\.js/);
    expect(r.out).toMatch(/✓ Python\s+3\./);
    expect(r.out).toMatch(/open-file limit\s+soft \d+/);
  });

  it('says what to fix when Python is missing', async () => {
    const r = await cli(['doctor', '--port', '0'], { WIA_PYTHON: '/nonexistent/python3' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/✗ Python[\s\S]*→ Python 3\.8 or newer was not found/);
  });
});
