// The command line as a user runs it: a child process (in a real PTY, read through a headless
// terminal, where the screen matters), its output, exit codes, and that nothing it started is
// left behind.
import { describe, it, expect, afterAll } from 'vitest';
import { spawnCli, collect, waitForOutput } from '../helpers/cli.js';
import { spawnCliTerminal } from '../helpers/cli-terminal.js';
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

/** The value cells of a summary table's row, e.g. "ended". */
const row = (out: string, name: string) => new RegExp(`^${name}\\s+(.+)$`, 'm').exec(out)?.[1]?.trim().split(/\s{3,}/) ?? [];

describe('list', () => {
  it('shows demos, variants and parameters with bounds and defaults, in the spelling the samples print', async () => {
    const r = await cli(['list']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^hello — /m);
    expect(r.out).toMatch(/variant blocking \(default\): /);
    expect(r.out).toMatch(/--count <1\.\.10> .*\(default 3\)/);
    expect(r.out).toMatch(/--max-threads <100\.\.15000> /);
    expect(r.out).toMatch(/--full \| --no-full /);
  });

  it('speaks JSON', async () => {
    const demos = JSON.parse((await cli(['list', '--json'])).out) as { id: string; params: Record<string, { min?: number }> }[];
    expect(demos.find((d) => d.id === 'hello')?.params.count?.min).toBe(1);
  });
});

describe('mistakes', () => {
  it.each([
    [['run'], /run needs a demo; demos: .*hello/],
    [['run', 'nope'], /unknown demo "nope"; demos: .*hello/],
    [['run', 'hello', 'threads'], /demo "hello" has no variant "threads"; its variants: blocking, selectors/],
    [['run', 'hello', '--count', '99'], /--count must be a whole number from 1 to 10; got "99"/],
    [['run', 'hello', '--count', '0x3'], /--count must be a whole number from 1 to 10; got "0x3"/],
    [['run', 'hello', '--count', ' 3 '], /--count must be a whole number from 1 to 10; got " 3 "/],
    [['run', 'hello', '--count', '3e0'], /--count must be a whole number/],
    [['run', 'hello', '--count', '2.0'], /--count must be a whole number/],
    [['run', 'hello', '--delay', '1e-1'], /--delay must be a number from 0.1 to 3; got "1e-1"/],
    [['run', 'hello', '--delay', 'Infinity'], /--delay must be a number from 0.1 to 3/],
    [['run', 'hello', '--colour', 'red'], /demo "hello" has no parameter --colour; its parameters: --count, --delay \(run also takes --json, --sample-hz, --max-seconds, --help\)/],
    [['run', 'hello', '--count'], /--count needs a value/],
    [['run', 'hello', '--count', '--json'], /--count needs a value/],
    [['run', 'hello', '--json=yes'], /--json takes no value/],
    [['run', 'hello', 'blocking', 'selectors'], /run takes <demo> \[variant\] \(at most 1 variant\); left over: "selectors"/],
    [['run', 'hello', '--sample-hz', '0'], /--sample-hz must be a number from 0.5 to 20; got "0"/],
    [['run', 'c10k', '--max-seconds', 'soon'], /--max-seconds must be a number from 1 to 660/],
    [['run', 'ws-chat', 'call-path', '--full', 'true'], /--full is a switch: write --full or --no-full/],
    [['run', 'not-faster', '--mode', 'fast'], /--mode must be one of /],
    [['compare', 'hello', 'blocking', 'selectors', 'x'], /at most 2 variants\); left over: "x"/],
    [['compare', 'hello', 'blocking', 'blocking'], /compare needs two different variants; got "blocking" twice\. Demo "hello" has: blocking, selectors/],
    [['list', '--bogus'], /unknown option --bogus; list takes --json, --help/],
    [['list', 'hello'], /list takes no arguments; got "hello"/],
    [['doctor', '--port', 'abc'], /--port must be a whole number from 0 to 65535; got "abc"/],
    [['doctor', '--port', '70000'], /--port must be a whole number from 0 to 65535; got "70000"/],
    [['doctor', '--verbose'], /unknown option --verbose; doctor takes --port, --json, --prune, --help/],
    [['doctor', '--port', '0', '--json=yes'], /--json takes no value/],
    [['record', 'nope'], /unknown demo "nope"/],
    [['record', 'hello', 'blocking', 'extra'], /record takes \[demo \[variant\]\]; left over: "extra"/],
    [['record', '--sample-hz', 'fast'], /--sample-hz must be a number/],
    [['frobnicate'], /unknown command "frobnicate"; commands: list, run, compare, record, serve, doctor/],
    [['help', 'frobnicate'], /unknown command "frobnicate"/],
  ])('%j exits 2 with one line naming the problem and the choices', async (args, pattern) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(pattern);
    expect(r.err.trim().split('\n')).toHaveLength(1); // no stack trace
    expect(r.out).toBe('');
  });

  it.each(['list', 'run', 'compare', 'record', 'serve', 'doctor'])('%s --help, -h, and help <command>', async (cmd) => {
    for (const args of [[cmd, '--help'], [cmd, '-h'], ['help', cmd]]) {
      const r = await cli(args);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^Usage: what-is-async ${cmd}`));
    }
  });

  it('run <demo> --help lists that demo’s variants and parameters', async () => {
    const r = await cli(['run', 'c10k', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/variants: threads, asyncio, asyncio-streams, selectors/);
    expect(r.out).toMatch(/--max-threads <100\.\.15000>/);
  });
});

describe('run', () => {
  it('runs a demo, then prints a summary table', async () => {
    const r = await cli(['run', 'hello', 'selectors', '--count', '2', '--delay', '1']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/2 requests in/);
    expect(r.out).toMatch(/hello · selectors/);
    expect(r.out).toMatch(/peak memory \(RSS\)\s+\d+(\.\d+)? MiB/);
    expect(row(r.out, 'ended')).toEqual(['exited normally (code 0)']);
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

  it('under `npm run` without -s, --json says on stderr how to keep npm’s banner out of stdout', async () => {
    const r = await cli(['run', 'hello', '--count', '1', '--delay', '0.1', '--json'], { npm_lifecycle_event: 'demo', npm_config_loglevel: 'notice' });
    expect(r.err).toMatch(/npm run -s demo -- …/);
    expect(() => r.out.trim().split('\n').map((l) => JSON.parse(l) as unknown)).not.toThrow();
    const quiet = await cli(['run', 'hello', '--count', '1', '--delay', '0.1', '--json'], { npm_lifecycle_event: 'demo', npm_config_loglevel: 'silent' });
    expect(quiet.err).not.toMatch(/npm run -s/);
  });

  it.each([['--max-threads'], ['--maxThreads']])('takes the kebab-case and the declared spelling: %s', async (flag) => {
    const r = await cli(['run', 'c10k', 'threads', '--connections', '100', '--hold', '1', flag, '150']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/thread cap 150 \(--max-threads\)/); // the sample got the value
    expect(row(r.out, 'ended')).toEqual(['exited normally (code 0)']);
  });

  it('--max-seconds stops a demo that runs until stopped, and says so', async () => {
    const r = await cli(['run', 'chat', 'asyncio', '--bots', '1', '--max-seconds', '2']);
    expect(r.code).toBe(0);
    expect(row(r.out, 'ended')).toEqual(['stopped at its time bound']);
  });

  it('SIGINT stops it: reported as stopped, exit code 130, nothing left behind', async () => {
    const child = spawnCli(['run', 'chat', 'asyncio', '--bots', '1', '--interval', '1']);
    started.push(child.pid!);
    const io = collect(child);
    await waitForOutput(io.out, /Chat room on 127\.0\.0\.1/, 15_000);
    const demoPids = descendants(child.pid!);
    started.push(...demoPids);
    child.kill('SIGINT');
    expect(await io.exit).toBe(130);
    expect(row(io.out(), 'ended')).toEqual(['stopped with Ctrl-C']);
    expect(await waitGone(demoPids, 3000)).toEqual([]);
  });
});

describe('compare', () => {
  it('runs two variants in turn and prints them side by side', async () => {
    const r = await cli(['compare', 'hello', '--count', '3', '--delay', '0.2']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/━━ hello · blocking \(1 of 2\)[\s\S]*━━ hello · selectors \(2 of 2\)/);
    expect(r.out).toMatch(/^hello\s+blocking\s+selectors$/m);
    expect(r.out).toMatch(/peak memory blocking ÷ selectors: \d/);
  });

  it('--json ends with a comparison object', async () => {
    const r = await cli(['compare', 'hello', 'selectors', 'blocking', '--count', '2', '--delay', '0.1', '--json']);
    const last = JSON.parse(r.out.trim().split('\n').at(-1)!) as { type: string; a: { variant: string }; b: { variant: string } };
    expect(last).toMatchObject({ type: 'compare', a: { variant: 'selectors' }, b: { variant: 'blocking' } });
  });

  it('ends by itself: each variant stops once its demo’s last step shows the point is made', { timeout: 90_000 }, async () => {
    const r = await cli(['compare', 'c10k', 'threads', 'asyncio', '--connections', '200']);
    expect(r.code).toBe(0);
    // Each variant reached "all connections held" before the next began.
    expect(r.out).toMatch(/server: holding 200 idle connections with \d+ threads[\s\S]*server: asyncio Protocol on[\s\S]*server: holding 200 idle connections with 1 thread/);
    expect(row(r.out, 'ended')).toEqual(['stopped: point made', 'stopped: point made']);
    expect(row(r.out, 'peak connections')).toEqual(['200', '200']);
  });

  it('a demo with no steps is bounded by --max-seconds', async () => {
    const r = await cli(['compare', 'chat', '--bots', '1', '--max-seconds', '2']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/━━ chat · asyncio \(1 of 2\): up to 2 s · Ctrl-C: on to threads ━━/);
    expect(row(r.out, 'ended')).toEqual(['stopped at its time bound', 'stopped at its time bound']);
  });

  it('SIGINT moves on to the next variant, and a second one finishes the comparison', { timeout: 60_000 }, async () => {
    const child = spawnCli(['compare', 'chat', 'asyncio', 'threads', '--bots', '1', '--max-seconds', '60']);
    started.push(child.pid!);
    const io = collect(child);
    await waitForOutput(io.out, /Chat room on/, 15_000);
    child.kill('SIGINT');
    await waitForOutput(io.out, /━━ chat · threads \(2 of 2\)/, 15_000);
    await waitForOutput(() => io.out().split('Chat room on').length > 2 ? 'both' : '', /both/, 15_000);
    started.push(...descendants(child.pid!));
    child.kill('SIGINT');
    expect(await io.exit).toBe(0);
    expect(row(io.out(), 'ended')).toEqual(['stopped with Ctrl-C', 'stopped with Ctrl-C']);
  });

  it('SIGTERM stops everything at once: no second variant, no table, exit 143', async () => {
    const child = spawnCli(['compare', 'chat', '--bots', '1']);
    started.push(child.pid!);
    const io = collect(child);
    await waitForOutput(io.out, /Chat room on/, 15_000);
    const demoPids = descendants(child.pid!);
    started.push(...demoPids);
    child.kill('SIGTERM');
    expect(await io.exit).toBe(143);
    expect(io.out()).not.toMatch(/2 of 2/);
    expect(io.out()).not.toMatch(/peak memory/);
    expect(await waitGone(demoPids, 3000)).toEqual([]);
  });
});

describe('in a real terminal', () => {
  it('keeps the demo’s output on screen, right above the summary', async () => {
    const t = spawnCliTerminal(['run', 'hello', 'selectors', '--count', '3', '--delay', '0.2'], { cols: 100, rows: 30 });
    started.push(t.pid);
    expect(await t.exited).toBe(0);
    const screen = await t.screen();
    const text = screen.join('\n');
    // The whole run is still visible: its first line, its last, the meter's last reading, then the table.
    expect(text).toMatch(/slow server: 0\.20 s per answer[\s\S]*3 requests in [\d.]+ s[\s\S]*peak memory \(RSS\)[\s\S]*ended\s+exited normally/);
    const last = screen.findIndex((l) => /3 requests in/.test(l));
    expect(screen[last + 1]).toMatch(/^hello · selectors · [\d.]+ s · mem /);
    expect(screen[last + 2]).toBe('');
    expect(screen[last + 3]).toMatch(/^hello · selectors$/);
  });

  it('when the output overflows the screen, its last lines still sit right above the summary', async () => {
    const t = spawnCliTerminal(['run', 'hello', 'selectors', '--count', '10', '--delay', '0.1'], { cols: 80, rows: 20 });
    started.push(t.pid);
    expect(await t.exited).toBe(0);
    const screen = await t.screen();
    const last = screen.findIndex((l) => /10 requests in/.test(l));
    expect(last).toBeGreaterThan(0);
    expect(screen[last - 1]).toMatch(/#\d+ received 'answer to request \d+'/);
    expect(screen[last + 3]).toMatch(/^hello · selectors$/);
    expect(screen.at(-2)).toMatch(/^ended\s+exited normally/);
    // Nothing was lost: the scrollback holds the beginning of the run.
    expect((await t.all()).join('\n')).toMatch(/slow server: [\s\S]*#1\.\.#10 connecting/);
  });

  it('keeps a live meter on the bottom row, and Ctrl-C stops everything and says so', async () => {
    const t = spawnCliTerminal(['run', 'chat', 'asyncio', '--bots', '1', '--interval', '1'], { cols: 100, rows: 20 });
    started.push(t.pid);
    await t.until(/Chat room on 127\.0\.0\.1/);
    const screen = await t.until(/chat · asyncio · [\d.]+ s · mem [\d.]+ MiB · 1 threads/);
    expect(screen[19]).toMatch(/^ chat · asyncio · .*Ctrl-C stops$/);
    expect(await t.inverse(19)).toBe(true);
    expect(await t.inverse(0)).toBe(false);
    const demoPids = descendants(t.pid);
    expect(demoPids.length).toBeGreaterThan(0);
    started.push(...demoPids);
    t.type('\x03');
    expect(await t.exited).toBe(130);
    const after = (await t.screen()).join('\n');
    expect(after).toMatch(/Chat room on[\s\S]*peak memory \(RSS\)[\s\S]*ended\s+stopped with Ctrl-C/);
    expect(await waitGone(demoPids, 2000)).toEqual([]);
  });

  it('compare shows how to move on; Ctrl-C moves on, and the second variant ends by itself', { timeout: 90_000 }, async () => {
    const t = spawnCliTerminal(['compare', 'c10k', 'threads', 'asyncio', '--connections', '200'], { cols: 120, rows: 30 });
    started.push(t.pid);
    let screen = await t.until(/━━ c10k · threads \(1 of 2\): up to 20 s, or until its point is made · Ctrl-C: on to asyncio ━━/);
    screen = await t.until(/threads \(1 of 2\) · [\d.]+ of 20 s · mem/);
    expect(screen[29]).toMatch(/Ctrl-C: on to asyncio$/);
    expect(await t.inverse(29)).toBe(true);
    await t.until(/client: ramping to 200/);
    t.type('\x03');
    screen = await t.until(/asyncio \(2 of 2\) · [\d.]+ of 20 s/);
    expect(screen[29]).toMatch(/Ctrl-C: finish$/);
    await t.until(/point made; moving on in 3 s/);
    expect(await t.exited).toBe(0);
    const text = (await t.screen()).join('\n');
    expect(text).toMatch(/server: holding 200 idle connections with 1 thread[\s\S]*c10k\s+threads\s+asyncio/);
    expect(text).toMatch(/ended\s+stopped with Ctrl-C\s+stopped: point made/);
  });
});
