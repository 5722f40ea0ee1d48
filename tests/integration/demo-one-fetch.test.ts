// Demo "one-fetch": one HTTP GET to a slow local server, four ways (blocking, callbacks,
// hand-made generators + Future + Task, asyncio). Each run fetches a good page, then a page
// whose status line has a typo ("2OO"), and prints the parse error's real traceback.
// Point: every way gets the body; the callbacks' traceback starts at the event loop and has
// no sign of crawl() or fetch(), while the coroutines' shows the whole path to parse().
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/server.js';
import { killGroups } from '../helpers/processes.js';
import { runPythonSample, type SampleRun } from '../helpers/python-sample.js';
import { inDemoSession, stopAndExpectGone } from '../helpers/demo-session.js';

const DIR = resolve(ROOT, 'demos/one-fetch');
const DELAY = 0.3;
const started: number[] = [];
const SCRIPTS = { blocking: 'blocking.py', callbacks: 'callbacks.py', generators: 'generators.py', asyncio: 'asyncio_fetch.py' };
type Variant = keyof typeof SCRIPTS;

function runSample(script: string): Promise<SampleRun> {
  return runPythonSample(DIR, [script, '--delay', String(DELAY)], { timeoutMs: 30_000, started });
}

/** The function names of the printed traceback, outermost first ("  name  file.py:12  code"). */
function tracebackPath(out: string): string[] {
  const block = out.split('Traceback (most recent call last):')[1] ?? '';
  const names: string[] = [];
  for (const line of block.split('\n').slice(1)) {
    const m = /^ {2}(\S+)\s+\S+\.py:\d+/.exec(line);
    if (!m) break;
    names.push(m[1]!);
  }
  return names;
}

describe('demo one-fetch: blocking, callbacks, coroutines', () => {
  afterAll(() => killGroups(started));

  const runs = {} as Record<Variant, SampleRun>;
  beforeAll(async () => {
    // Little CPU is used (they wait for the server), so the four runs may overlap.
    const results = await Promise.all(Object.values(SCRIPTS).map(runSample));
    Object.keys(SCRIPTS).forEach((v, i) => (runs[v as Variant] = results[i]!));
    for (const [v, r] of Object.entries(runs)) console.log(`${v}: ${tracebackPath(r.out).join(' > ')}`);
  }, 45_000);

  it.each(Object.keys(SCRIPTS) as Variant[])('%s fetches the body, shows its state and exits cleanly', (v) => {
    const r = runs[v];
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(`status 200: '/page after ${DELAY} s\\n'`);
    expect(r.out).toMatch(/state: .+:\n {4}.*url='\/page\?delay=0\.3'/);
    expect(r.out).toContain("ValueError: invalid literal for int() with base 10: b'2OO'");
    expect(r.out).not.toMatch(/File "/); // no stray, unformatted traceback
  });

  it('says where the state lives: stack, object, suspended frames', () => {
    expect(runs.blocking.out).toContain("state: fetch()'s locals, on the stack:");
    expect(runs.callbacks.out).toContain('state: Fetcher attributes, by hand:');
    expect(runs.generators.out).toMatch(/suspended: crawl\(\) > fetch\(\) > read\(\)\s+> Future/);
    expect(runs.asyncio.out).toMatch(/suspended: crawl\(\) > fetch\(\) > read\(\)\s+> .*Future/);
    for (const v of ['generators', 'asyncio'] as const) {
      expect(runs[v].out).toContain("state: fetch()'s locals, in its frame:");
    }
  });

  it("the callbacks' traceback starts at the event loop, with no sign of who asked", () => {
    const path = tracebackPath(runs.callbacks.out);
    expect(path).toEqual(expect.arrayContaining(['loop', 'read_response', 'parse']));
    expect(path.at(-1)).toBe('parse');
    expect(path).not.toContain('crawl');
    expect(path).not.toContain('fetch');
    expect(runs.callbacks.out).toMatch(/callbacks: it starts in the loop;\n  no crawl\(\), no fetch\(\): who asked\?/);
  });

  it("the coroutines' traceback shows the whole path, task > crawl > fetch > parse", () => {
    const inOrder = (path: string[], names: string[]): boolean =>
      names.every((n, i) => path.indexOf(n) >= 0 && (i === 0 || path.indexOf(n) > path.indexOf(names[i - 1]!)));
    const gen = tracebackPath(runs.generators.out);
    expect(inOrder(gen, ['loop', 'step', 'crawl', 'fetch', 'parse']), gen.join(' > ')).toBe(true);
    const aio = tracebackPath(runs.asyncio.out);
    expect(inOrder(aio, ['crawl', 'fetch', 'parse']), aio.join(' > ')).toBe(true);
    const blocking = tracebackPath(runs.blocking.out);
    expect(inOrder(blocking, ['crawl', 'fetch', 'parse']), blocking.join(' > ')).toBe(true);
    for (const v of ['generators', 'asyncio', 'blocking'] as const) {
      expect(tracebackPath(runs[v].out).at(-1)).toBe('parse');
      expect(runs[v].out).toContain(`${v}: the whole path is there:\n  crawl() > fetch() > parse()`);
    }
  });

  it.skipIf(process.platform !== 'linux')('runs through the demo server and stops cleanly while it waits', async () => {
    await inDemoSession({ demo: 'one-fetch', variant: 'generators', params: { delay: 5 } }, started, async (c, s) => {
      await c.until(() => /suspended: crawl\(\) > fetch\(\) > read\(\)/.test(c.text(1)), 15_000, 'the suspended task');
      await stopAndExpectGone(c, [s.pid]);
    });
  });
});
