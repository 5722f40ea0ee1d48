// The speaker view's previews of the current and next slide must never start processes:
// they show snapshots, and the demo server's session count proves it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, gotoSlide } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';
import type { DemoServer } from '../../server/http/demo-server.js';

let server: DemoServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the speaker view', () => {
  it('shows demo slides without starting a second session', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => window.Reveal?.isReady());
    await gotoSlide(page, 'chat-demo');
    await page.waitForSelector('#chat-asyncio[data-state="idle"]');
    await page.click('#chat-asyncio button[data-action="run"]');
    await page.waitForSelector('#chat-asyncio[data-state="running"]');
    expect(server.runs.count).toBe(1);

    const [notes] = await Promise.all([context.waitForEvent('page'), page.evaluate(() => (window.Reveal.getPlugin('notes') as unknown as { open(): void }).open())]);
    await notes.waitForLoadState();
    // The previews are the deck again, with ?receiver: they mount the chat slide's terminal.
    const frames = () => notes.frames().filter((f) => /receiver/.test(f.url()));
    await notes.waitForFunction(() => document.querySelectorAll('iframe').length >= 2, null, { timeout: 15_000 });
    const deadline = Date.now() + 15_000;
    let snapshots = 0;
    while (Date.now() < deadline) {
      snapshots = 0;
      for (const f of frames()) snapshots += await f.$$eval('#chat-asyncio[data-mode="snapshot"][data-snapshot="true"]', (els) => els.length).catch(() => 0);
      if (snapshots >= 1) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(frames().length).toBeGreaterThanOrEqual(1);
    expect(snapshots).toBeGreaterThanOrEqual(1);
    // Still the presenter's one session: the previews started none.
    expect(server.runs.count).toBe(1);
    expect(server.pageSocketCount()).toBe(1);
    await context.close();
  });
});
