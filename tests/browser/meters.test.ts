// The meters beside a terminal show real, changing numbers while the demo runs, stop when it
// ends and start over with the next run; side by side they show the ratio of memory per
// connection. Orders and counts of events, not samples in a time window.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';
import type { DemoServer } from '../../server/http/demo-server.js';

let server: DemoServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(`${server.url}#/chat-demo`);
  await page.waitForFunction(() => window.Reveal?.isReady());
  await page.waitForSelector('#chat-asyncio[data-state="idle"]');
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const meters = () =>
  page.$eval('#chat-demo .live-meters', (el) => {
    const d = (el as HTMLElement).dataset;
    return {
      samples: Number(d.samples ?? 0),
      rss: Number(d.rssBytes ?? 0),
      threads: Number(d.threads ?? 0),
      fds: Number(d.fds ?? 0),
      connections: Number(d.connections ?? 0),
      cpu: d.cpuPercent,
      text: el.querySelector('.lm-rss .lm-value')?.textContent ?? '',
    };
  });

describe('resource meters', () => {
  it('show non-zero, changing numbers while the demo runs, stop when it ends, and start over with the next run', async () => {
    expect((await meters()).samples).toBe(0);
    // What the terminal's source tells its followers, in order: run, metrics…, exit.
    await page.evaluate(() => {
      const source = document.getElementById('chat-asyncio')!.liveTerminal!.source!;
      const seen: string[] = ((window as unknown as { seen: string[] }).seen = []);
      for (const e of ['run', 'metrics', 'exit', 'error'] as const) source.on(e, () => seen.push(e));
    });
    const seen = () => page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    await page.click('#chat-asyncio button[data-action="run"]');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#chat-demo .live-meters')?.dataset.samples) >= 4);
    const first = await meters();
    expect(first.rss).toBeGreaterThan(5 * 2 ** 20); // a Python interpreter is several MiB
    expect(first.threads).toBeGreaterThanOrEqual(1);
    expect(first.fds).toBeGreaterThanOrEqual(3);
    expect(first.text).toMatch(/MiB/);
    // The bots connect: the server holds their connections, and the meter goes on counting samples.
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#chat-demo .live-meters')?.dataset.connections) >= 2);
    await page.waitForFunction((n) => Number(document.querySelector<HTMLElement>('#chat-demo .live-meters')?.dataset.samples) >= n + 3, first.samples);

    await page.click('#chat-asyncio button[data-action="stop"]');
    await page.waitForSelector('#chat-asyncio[data-state="exited"]');
    await page.waitForSelector('#chat-demo .lm-column[data-state="ended"]');
    const atEnd = (await meters()).samples;
    // Run again: the meters start over from the new run's first sample, and the old run sent
    // none after its end (ordered against the next run's start, not a wait of some seconds).
    await page.click('#chat-asyncio button[data-action="run"]');
    await page.waitForFunction(() => (window as unknown as { seen: string[] }).seen.filter((e) => e === 'run').length === 2);
    const order = await seen();
    const between = order.slice(order.indexOf('exit') + 1, order.lastIndexOf('run'));
    expect(order[0]).toBe('run');
    expect(order.filter((e) => e === 'metrics').length).toBeGreaterThanOrEqual(atEnd);
    expect(between).toEqual([]);
    await page.waitForFunction((n) => Number(document.querySelector<HTMLElement>('#chat-demo .live-meters')?.dataset.samples) < n, atEnd);
    await page.click('#chat-asyncio button[data-action="stop"]');
    await page.waitForSelector('#chat-asyncio[data-state="exited"]');
  });

  it('compare side by side: threads cost several times asyncio per idle connection', async () => {
    await page.goto(`${server.url}#/c10k-demo`);
    await page.waitForFunction(() => window.Reveal?.isReady() && window.Reveal.getCurrentSlide()?.id === 'c10k-demo');
    await page.waitForSelector('#c10k-threads[data-state="idle"]');
    await page.waitForSelector('#c10k-asyncio[data-state="idle"]');
    const col = (i: number) => `#c10k-demo .live-meters .lm-column:nth-child(${i})`;
    // One after the other, as a speaker would: 10,000 connections each.
    for (const [term, i] of [['#c10k-threads', 1], ['#c10k-asyncio', 2]] as const) {
      await page.click(`${term} button[data-action="run"]`);
      await page.waitForFunction((c) => Number(document.querySelector<HTMLElement>(c)?.dataset.connections) >= 10_000, col(i), { timeout: 60_000 });
      await page.waitForFunction((c) => Number(document.querySelector<HTMLElement>(c)?.dataset.perConnectionBytes) > 0, col(i), { timeout: 10_000 });
    }
    const threads = await page.$eval(col(1), (el) => ({ ...(el as HTMLElement).dataset }));
    const aio = await page.$eval(col(2), (el) => ({ ...(el as HTMLElement).dataset }));
    expect(Number(threads.threads)).toBeGreaterThan(10_000);
    expect(Number(aio.threads)).toBeLessThan(5);
    const ratio = Number(await page.$eval('#c10k-demo .live-meters', (el) => (el as HTMLElement).dataset.ratio));
    expect(ratio).toBeGreaterThan(3);
    expect(ratio).toBeCloseTo(Number(threads.perConnectionBytes) / Number(aio.perConnectionBytes), 1);
    for (const term of ['#c10k-threads', '#c10k-asyncio']) await page.click(`${term} button[data-action="stop"]`);
    await page.waitForSelector('#c10k-asyncio[data-state="exited"]');
    await page.waitForSelector('#c10k-threads[data-state="exited"]');
  }, 120_000);
});
