// What the meters show, demo by demo, as a person sees the slide: only the figures each
// demo's manifest declares; the final reading kept after a run ends (never the figures of
// the process tearing down) and labelled so; Z enlarges them with the terminals; the
// "measured here" slots empty until a demo ran here, and named recordings in a replay; and
// the chat pair measured as the notes say (5 bots and the terminal: 6 connections, 7 threads
// on the left, checked against the test's own /proc reading of the server process).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { gotoSlide } from '../helpers/browser.js';
import { argsOf, descendantsOf } from '../helpers/processes.js';
import { liveAndStatic, type DeckSites } from '../helpers/deck-sites.js';

let sites: DeckSites;
beforeAll(async () => {
  sites = await liveAndStatic();
});
afterAll(async () => {
  await sites?.close();
});

async function open(url: string, slide: string, viewport = { width: 1024, height: 768 }): Promise<Page> {
  const page = await sites.browser.newPage({ viewport });
  await page.goto(url);
  await page.waitForFunction(() => window.Reveal?.isReady());
  await gotoSlide(page, slide);
  await page.waitForSelector(`#${slide} .live-meters.lm-mounted`);
  return page;
}

const columns = (page: Page, slide: string) =>
  page.$$eval(`#${slide} .lm-column`, (cols) =>
    cols.map((c) => ({
      head: c.querySelector('.lm-label')?.textContent ?? '',
      captions: [...c.querySelectorAll('.lm-caption')].map((e) => e.textContent ?? ''),
      values: [...c.querySelectorAll('.lm-value')].map((e) => e.textContent ?? ''),
      data: { ...(c as HTMLElement).dataset },
    })),
  );

describe('meters, demo by demo', () => {
  it('show only the figures each demo declares', async () => {
    const page = await open(`${sites.server.url}?minutes=45`, 'pizza-demo');
    const pizza = await columns(page, 'pizza-demo');
    expect(pizza[0]!.captions.join('|')).not.toMatch(/per connection/); // 100 short requests
    expect(pizza[0]!.captions).toContain('threads');
    await gotoSlide(page, 'subs-demo');
    await page.waitForSelector('#subs-demo .live-meters.lm-mounted');
    const subs = await columns(page, 'subs-demo');
    expect(subs[0]!.captions).toEqual(['CPU', 'processes', 'threads', 'memory']);
    await gotoSlide(page, 'c10k-demo');
    await page.waitForSelector('#c10k-demo .live-meters.lm-mounted');
    const c10k = await columns(page, 'c10k-demo');
    expect(c10k[0]!.captions).toEqual(['connections', 'memory', 'per connection', 'threads']);
    // Before a run: no dashes in place of memory per connection, but when it will show.
    expect(c10k[0]!.values[2]).toBe('from 1,000');
    expect(await page.$eval('#c10k-demo .live-meters', (el) => (el as HTMLElement).dataset.chart)).toBe('memory-vs-connections');
    await page.close();
  });

  it('keep the final reading of a run that ended, not its tear-down (not-faster, many sleepy connections)', async () => {
    // The print view's snapshots: each terminal shows its recording's end at once.
    const page = await open(`${sites.site.url}/?demos=snapshot&minutes=45`, 'not-faster-sleepy-demo');
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('#not-faster-sleepy-demo .lm-column')].every((c) => c.dataset.final));
    const cols = await columns(page, 'not-faster-sleepy-demo');
    // The recording's own last reading before its "load ends" marker, read from the file.
    for (const [i, variant] of ['threads', 'asyncio'].entries()) {
      const file = `demos/not-faster/recordings/${variant}@mode=sleepy,sleepy=2000`;
      const cast = readFileSync(`${file}.cast`, 'utf8').split('\n').slice(1).filter(Boolean).map((l) => JSON.parse(l) as [number, string, string]);
      const endsAt = cast.find((e) => e[1] === 'm' && e[2] === 'load ends')![0];
      const readings = readFileSync(`${file}.metrics.jsonl`, 'utf8').split('\n').slice(1).filter(Boolean).map((l) => JSON.parse(l) as { t: number; sample?: { connections: number; threads: number } })
        .filter((r): r is { t: number; sample: { connections: number; threads: number } } => r.sample !== undefined);
      const before = readings.filter((r) => r.t <= endsAt).at(-1)!;
      const last = readings.at(-1)!;
      expect(cols[i]!.head).toMatch(/final reading/);
      expect(Number(cols[i]!.data.connections)).toBe(before.sample.connections);
      expect(Number(cols[i]!.data.threads)).toBe(before.sample.threads);
      expect(before.sample.connections).toBeGreaterThanOrEqual(2000);
      // …where the threads server's very last reading is its tear-down (threads ending).
      if (variant === 'threads') expect(last.sample.threads).toBeLessThan(before.sample.threads);
    }
    const ratio = await page.$eval('#not-faster-sleepy-demo .live-meters', (el) => (el as HTMLElement).dataset.ratio);
    expect(Number(ratio)).toBeGreaterThan(2);
    await page.close();
  });

  it('Z enlarges the meters with the terminals', async () => {
    const page = await open(sites.server.url, 'c10k-demo');
    const sizes = () =>
      page.evaluate(() => ({
        value: parseFloat(getComputedStyle(document.querySelector('#c10k-demo .lm-value')!).fontSize),
        tick: Number(document.querySelector('#c10k-demo .lm-svg .lm-tick')?.getAttribute('font-size') ?? 0),
      }));
    const before = await sizes();
    await page.keyboard.press('z');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#c10k-demo .live-meters')?.dataset.zoom === '1.3');
    const after = await sizes();
    expect(after.value).toBeGreaterThan(before.value * 1.2);
    expect(after.tick).toBeGreaterThan(before.tick * 1.2);
    await page.close();
  });

  it('"measured here" is empty until a demo runs here; a replay names its recording', async () => {
    const page = await sites.browser.newPage({ viewport: { width: 1024, height: 768 } });
    await page.goto(sites.server.url);
    await page.waitForFunction(() => window.Reveal?.isReady());
    await gotoSlide(page, 'what-for-figures');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#what-for-figures [data-measure="c10k/threads"]')?.dataset.measuredSource === 'none');
    const slot = await page.$eval('#what-for-figures [data-measure="c10k/threads"]', (el) => el.textContent);
    expect(slot).toBe('not run yet');
    expect(await page.$eval('#what-for-figures [data-measure-source="c10k"]', (el) => el.textContent)).toMatch(/not measured yet/);
    await page.close();

    const replay = await sites.browser.newPage({ viewport: { width: 1024, height: 768 } });
    await replay.goto(sites.site.url);
    await replay.waitForFunction(() => window.Reveal?.isReady());
    await gotoSlide(replay, 'what-for-figures');
    await replay.waitForFunction(() => /KiB/.test(document.querySelector('#what-for-figures [data-measure="c10k/threads"]')?.textContent ?? ''));
    expect(await replay.$eval('#what-for-figures [data-measure-source="c10k"]', (el) => el.textContent)).toMatch(/from the c10k recordings: \d{4}-\d\d-\d\d · Python [\d.]+ · /);
    await replay.close();
  });
});

/** The chat server under this test process (the demo server runs in it), by its command line. */
function chatServerPid(file: string): number | undefined {
  return descendantsOf().find((pid) => argsOf(pid).join(' ').includes(`${file} --serve`));
}

describe.skipIf(process.platform !== 'linux')('the chat pair', () => {
  it('5 bots and the terminal: 6 connections on each side, 7 threads (one per client and the main one) beside 1, as /proc says', async () => {
    const page = await open(`${sites.server.url}?minutes=45`, 'chat-compare-demo');
    for (const id of ['chat-threads-cmp', 'chat-asyncio-cmp']) await page.click(`#${id} button[data-action="run"]`);
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('#chat-compare-demo .lm-column')].every((c) => c.dataset.connections === '6'), undefined, { timeout: 20_000 });
    const cols = await columns(page, 'chat-compare-demo');
    const threadsPid = chatServerPid('chat_threads.py')!;
    const status = readFileSync(`/proc/${threadsPid}/status`, 'latin1');
    expect(Number(/^Threads:\s+(\d+)/m.exec(status)![1])).toBe(7);
    expect(cols[0]!.values[cols[0]!.captions.indexOf('threads')]).toBe('7');
    expect(cols[1]!.values[cols[1]!.captions.indexOf('threads')]).toBe('1');
    expect(cols.map((c) => c.values[c.captions.indexOf('connections')])).toEqual(['6', '6']);
    for (const id of ['chat-threads-cmp', 'chat-asyncio-cmp']) await page.click(`#${id} button[data-action="stop"]`);
    for (const id of ['chat-threads-cmp', 'chat-asyncio-cmp']) await page.waitForSelector(`#${id}[data-state="exited"]`);
    await page.close();
  }, 40_000);
});
