// The speaker view's previews of the current and next slide must never start processes. The
// next slide's shows snapshots; the current slide's mirrors the presenter's live run read-only
// (it watches the run over its own page socket), and the recording's final screen otherwise.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, gotoSlide } from '../helpers/browser.js';

const SHOTS = process.env.AUDIENCE_SHOTS;
const lastRows = (text: string, n: number) => text.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim()).slice(-n);
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
  it('shows demo slides without starting a second session; its current slide mirrors the live run', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => window.Reveal?.isReady());
    await gotoSlide(page, 'chat-demo');
    await page.waitForSelector('#chat-asyncio[data-state="idle"]');
    await page.click('#chat-asyncio button[data-action="run"]');
    await page.waitForSelector('#chat-asyncio[data-state="running"]');
    await page.waitForFunction(() => /joined/.test(document.querySelector<HTMLElement>('#chat-asyncio')!.liveTerminal!.text()), null, { timeout: 20_000 });
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

    // The current slide's preview (the one that posts its events) mirrors the live run: the
    // presenter's screen, read-only, with no ▶ Play on a recording while the room sees the run.
    const current = () => notes.frames().find((f) => /postMessageEvents=true/.test(f.url()));
    const mirror = '#chat-asyncio[data-mode="mirror"][data-watching="true"]';
    await notes.waitForFunction(() => document.querySelectorAll('iframe').length >= 2);
    await current()!.waitForSelector(mirror, { timeout: 20_000 });
    const want = lastRows(await page.evaluate(() => document.querySelector<HTMLElement>('#chat-asyncio')!.liveTerminal!.text()), 2);
    await current()!.waitForFunction((rows) => rows.every((r) => document.querySelector<HTMLElement>('#chat-asyncio')!.liveTerminal!.text().includes(r)), want, { timeout: 10_000 });
    expect(await current()!.$$eval('#chat-asyncio button', (bs) => bs.filter((b) => !(b as HTMLButtonElement).hidden).map((b) => b.textContent))).toEqual([]);
    if (SHOTS) await notes.screenshot({ path: `${SHOTS}/speaker-view.png` });
    // Still the presenter's one session: the previews started none (the current slide's
    // preview has a page socket of its own, to watch).
    expect(server.runs.count).toBe(1);
    expect(server.pageSocketCount()).toBe(2);
    await context.close();
  });
});
