// One DemoRun, several consumers: the pace-setter alone pauses the PTY; a follower that stops
// reading never slows it, and is resynced from the server's screen state; one that joins
// mid-run gets the current screen. Real PTYs, real Python, terminals drawn by xterm.js.
import { describe, it, expect, afterAll } from 'vitest';
import { join } from 'node:path';
import { DemoRun } from '../../server/run/demo-run.js';
import { ScreenState, BACKLOG_HIGH } from '../../server/run/screen-state.js';
import { HIGH_WATER } from '../../server/run/run-consumer.js';
import type { LaunchPlan } from '../../server/session/demo-launcher.js';
import type { StepSpec } from '../../server/run/step-markers.js';
import type { ConsumerEvent } from '../../server/run/run-events.js';
import { findPython } from '../../server/registry/python.js';
import { FIXTURE_DEMOS } from '../helpers/server.js';
import { DrawingConsumer } from '../helpers/drawing-consumer.js';
import { killGroups, isRunning } from '../helpers/processes.js';

const started: number[] = [];
const runs: DemoRun[] = [];
afterAll(async () => {
  await Promise.all(runs.map((r) => r.stop()));
  killGroups(started);
});

const MiB = 1024 * 1024;
/** The most one read of a PTY returns (libuv reads 64 KiB at a time). */
const ONE_READ = 64 * 1024;

function python(): string {
  const py = findPython();
  if (!py.ok) throw new Error(py.message);
  return py.path;
}

function plan(argv: string[], steps: StepSpec[] = []): LaunchPlan {
  return {
    demo: 'test',
    variant: 'test',
    argv: [python(), ...argv],
    cwd: FIXTURE_DEMOS,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color', LANG: 'C.UTF-8', PYTHONUNBUFFERED: '1' },
    params: {},
    timeLimitSeconds: 60,
    steps,
  };
}

function startRun(p: LaunchPlan, sampleHz = 0): DemoRun {
  const run = new DemoRun({ plan: p, cols: 80, rows: 24, sampleHz, screen: (cols, rows, onBacklog) => new ScreenState(cols, rows, onBacklog) });
  runs.push(run);
  started.push(run.pid);
  return run;
}

/** Resolves when `pred` holds, checked every 20 ms; fails after `ms`. */
async function until(pred: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Coloured, numbered lines, a prompt left on the cursor's line, then what it read. */
const PROMPTED = `
import sys
for i in range(60):
    print("\\x1b[3%dmline %03d\\x1b[0m %s" % (i % 7 + 1, i, "abc" * (i % 20)))
print("\\x1b[1mready>\\x1b[0m ", end="", flush=True)
line = sys.stdin.readline()
print("got %r" % line.strip())
for i in range(5):
    print("after %d" % i)
`;

/** A burst far larger than any window, then a prompt; ends on Enter. */
const BURST = `
import sys
for i in range(40000):
    sys.stdout.write("burst line %06d %s\\n" % (i, "x" * 50))
sys.stdout.write("burst done>")
sys.stdout.flush()
sys.stdin.readline()
print("bye")
`;

describe('a run with a pace-setter and a follower that stops reading', () => {
  it('goes on at the pace-setter’s pace: the PTY is never paused for the follower, which skips what it cannot take', async () => {
    const run = startRun(plan([join(FIXTURE_DEMOS, 'flood/flood.py')]));
    let paceBytes = 0;
    // The pace-setter reads everything at once: a page, or a terminal, that keeps up.
    const pace = run.subscribe((e) => {
      if (e.type === 'output') {
        paceBytes += e.bytes.byteLength;
        pace.ack(e.bytes.byteLength);
      }
    }, { role: 'pace-setter' });
    // The follower stops reading from the start: it acknowledges nothing.
    const follower = new DrawingConsumer(run, 'follower', { reading: false });

    await until(() => paceBytes >= 16 * MiB, 'the pace-setter to get 16 MiB of the flood');
    expect(run.stats.pauses.acks).toBe(0); // never for acknowledgements…
    expect(run.stats.pauses.socket).toBe(0); // …nor for a full transport
    // The follower got one window's worth, then nothing: the rest was skipped, not queued.
    expect(follower.received).toBeLessThanOrEqual(HIGH_WATER + ONE_READ);
    expect(follower.consumer.state).toBe('behind');
    expect(follower.consumer.stats.skippedBytes).toBeGreaterThan(paceBytes - HIGH_WATER - ONE_READ - ONE_READ);
    expect(paceBytes / follower.received).toBeGreaterThan(50);
    // What waited for the screen state stayed bounded however fast the flood came.
    expect(run.stats.screenBacklogPeak).toBeLessThanOrEqual(BACKLOG_HIGH + ONE_READ);

    // It reads again: it draws what it had, acknowledges it, and is sent the current screen.
    follower.resume();
    await until(() => follower.log.includes('screen'), 'the follower to be resynced');
    expect(run.stats.pauses.acks).toBe(0);

    run.write('\x03');
    const exit = await run.done;
    await follower.drawn();
    expect(exit.reason).toBe('exited');
    expect(follower.exit).toEqual(exit);
    expect(follower.consumer.stats.screens).toBeGreaterThanOrEqual(1);
    // It ends on the flood's last screen. (Not always with the program's last words: after
    // Ctrl-C in a flood the PTY often loses them, node-pty alone too.)
    expect(follower.text()).toMatch(/^(y{79}\n){20}/);
    expect(isRunning(run.pid)).toBe(false);
  });

  it('while the pace-setter stops reading, the PTY is paused after one window, and goes on when it acknowledges', async () => {
    const run = startRun(plan([join(FIXTURE_DEMOS, 'flood/flood.py')]));
    const pace = new DrawingConsumer(run, 'pace-setter', { reading: false });
    await until(() => run.isPaused && pace.received === run.stats.outputBytes, 'the run to pause with all its output delivered');
    expect(run.stats.pauses.acks).toBe(1);
    expect(run.stats.outputBytes).toBeLessThanOrEqual(HIGH_WATER + ONE_READ);
    expect(pace.received).toBe(run.stats.outputBytes);
    pace.resume();
    await until(() => run.stats.outputBytes > 4 * HIGH_WATER, 'more output once acknowledged');
    run.write('\x03');
    expect((await run.done).reason).toBe('exited');
  });
});

describe('a follower that joins mid-run', () => {
  it('gets the current screen first: its text and cursor equal what the pace-setter drew, then both go on alike', async () => {
    const steps = [
      { match: 'line 030', label: 'halfway' },
      { match: 'after 4', label: 'done' },
    ];
    const run = startRun(plan(['-c', PROMPTED], steps), 20);
    const pace = new DrawingConsumer(run, 'pace-setter');
    await until(() => /ready>/.test(pace.text()), 'the prompt');
    await pace.drawn();
    await until(() => run.metricsHistory.length >= 2, 'two meter readings');

    const follower = new DrawingConsumer(run, 'follower');
    expect(follower.log[0]).toBe('screen');
    await follower.drawn();
    expect(follower.text()).toBe(pace.text());
    expect(follower.text()).toMatch(/line 059 (abc){19}\nready>$/);
    expect(follower.cursor()).toEqual(pace.cursor());
    // Colours and bold survive: the screen is serialized, not just its text.
    const colourOfLine59 = (c: DrawingConsumer) => c.term.buffer.active.getLine(c.term.buffer.active.baseY + 22)?.getCell(0)?.getFgColor();
    expect(colourOfLine59(pace)).toBe(59 % 7 + 1);
    expect(colourOfLine59(follower)).toBe(colourOfLine59(pace));
    // The meters' history is there for it too, oldest first.
    const history = run.metricsHistory;
    expect(history.length).toBeGreaterThanOrEqual(2);
    expect(history.every((h, i) => i === 0 || h.at >= history[i - 1]!.at)).toBe(true);
    expect(run.markers.map((m) => m.label)).toEqual(['halfway']);

    run.write('hello\r');
    const exit = await run.done;
    await Promise.all([pace.drawn(), follower.drawn()]);
    expect(exit).toMatchObject({ code: 0, reason: 'exited' });
    expect(follower.text()).toBe(pace.text());
    expect(pace.text()).toMatch(/got 'hello'\nafter 0\n[\s\S]*after 4$/);
    // Each marker came after the output line that reached it, and before the exit.
    expect(pace.markers.map((m) => m.label)).toEqual(['halfway', 'done']);
    expect(pace.receivedText.slice(0, pace.markers[0]!.after)).toContain('line 030');
    expect(pace.receivedText.slice(0, pace.markers[1]!.after)).toContain('after 4');
    expect(follower.markers.map((m) => m.label)).toEqual(['done']);
    expect(pace.log.at(-1)).toBe('exit');
    expect(pace.log.lastIndexOf('marker')).toBeLessThan(pace.log.indexOf('exit'));
  });

  it('a follower that fell behind on a burst is resynced, and ends on the pace-setter’s screen', async () => {
    const run = startRun(plan(['-c', BURST]));
    const pace = new DrawingConsumer(run, 'pace-setter');
    const follower = new DrawingConsumer(run, 'follower', { reading: false });
    await until(() => /burst done>/.test(pace.text()), 'the end of the burst', 60_000);
    expect(follower.consumer.state).toBe('behind');
    expect(follower.received).toBeLessThanOrEqual(HIGH_WATER + ONE_READ);
    follower.resume();
    await until(() => follower.log.includes('screen'), 'the resync');
    await follower.drawn();
    await pace.drawn();
    expect(follower.text()).toBe(pace.text());
    expect(follower.text()).toMatch(/burst line 039999 x{50}\nburst done>$/);
    run.write('\r');
    await run.done;
    await Promise.all([pace.drawn(), follower.drawn()]);
    expect(follower.text()).toBe(pace.text());
  });
});

describe('the end of a run', () => {
  it('on Stop every consumer gets the exit, once, after the whole process tree is gone', async () => {
    const run = startRun(plan([join(FIXTURE_DEMOS, 'sleeper/tree.py'), '30']));
    const seen: ConsumerEvent[] = [];
    let pids: number[] = [];
    let text = '';
    let runningAtExit: number[] | undefined;
    run.subscribe((e) => {
      seen.push(e);
      if (e.type === 'output') text += e.bytes.toString();
      if (e.type === 'output') pids = (/pids (\d+) (\d+) (\d+)/.exec(text)?.slice(1) ?? []).map(Number);
      if (e.type === 'exit') runningAtExit = pids.filter(isRunning);
    }, { role: 'pace-setter' });
    await until(() => pids.length === 3, 'the pids line');
    started.push(...pids);
    const follower = new DrawingConsumer(run, 'follower');
    const exit = await run.stop('stopped');
    expect(exit.reason).toBe('stopped');
    expect(runningAtExit).toEqual([]); // parent, child and the grandchild in its own session: gone before it was told
    expect(seen.filter((e) => e.type === 'exit')).toHaveLength(1);
    expect(follower.log.filter((t) => t === 'exit')).toHaveLength(1);
    expect(() => run.subscribe(() => {}, { role: 'follower' })).toThrow(/ended/);
  });
});
