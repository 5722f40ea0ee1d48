// The WebSocket chat slide, as a person uses it. Live: the page is a real WebSocket client of
// the Python server its terminal runs; it joins, its message goes round and the bot answers,
// and when the server restarts (/restart in the terminal, or ↻ Restart) the page reconnects
// by itself. Static site: the client shows what the recorded server relayed, and the restart.
import { describe, it, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { gotoSlide } from '../helpers/browser.js';
import { useLiveAndStatic } from '../helpers/deck-sites.js';

const deck = useLiveAndStatic();

const CLIENT = '#ws-chat-demo .ws-chat-client';
const TERM = '#ws-chat-room';

const state = (page: Page) => page.$eval(CLIENT, (el) => ({ ...(el as HTMLElement).dataset }));
const log = (page: Page) => page.$$eval(`${CLIENT} .wc-log li`, (lis) => lis.map((li) => li.textContent ?? ''));

describe('the browser chat client', () => {
  it('live: joins the server the terminal runs, chats, and reconnects by itself when the server restarts', async () => {
    const page = await deck.browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(deck.server.url);
    await page.waitForFunction(() => window.Reveal?.isReady());
    // Any free port, so the test shares the machine: the client reads the port from the terminal.
    await page.evaluate(() => {
      const el = document.getElementById('ws-chat-room')!;
      el.dataset.params = JSON.stringify({ ...JSON.parse(el.dataset.params ?? '{}'), port: 0, interval: 1 });
    });
    await gotoSlide(page, 'ws-chat-demo');
    await page.waitForSelector(`${CLIENT}[data-state="waiting"]`);
    expect(await page.isDisabled(`${CLIENT} input`)).toBe(true); // nothing to send to yet

    await page.click(`${TERM} button[data-action="run"]`);
    await page.waitForSelector(`${CLIENT}[data-state="open"]`, { timeout: 15_000 });
    expect((await state(page)).opens).toBe('1');
    await page.waitForFunction((sel) => Number(document.querySelector<HTMLElement>(sel)?.dataset.messages) >= 1, CLIENT, { timeout: 10_000 });
    const termText = () => page.$eval(TERM, (el) => (el as HTMLElement).liveTerminal!.text());
    expect(await termText()).toMatch(/joined \(a page at http:\/\/127\.0\.0\.1:\d+\)/);

    // A message from the page goes through the Python server; the bot answers it.
    await page.fill(`${CLIENT} input`, 'hello from the page');
    await page.press(`${CLIENT} input`, 'Enter');
    await page.waitForFunction((sel) => [...document.querySelectorAll(`${sel} .wc-log li`)].some((li) => li.textContent === 'alice: got "hello from the page" via the server'), CLIENT, { timeout: 10_000 });
    expect(await termText()).toMatch(/» browser: hello from the page/);
    expect(await log(page)).toContain('you: hello from the page');
    // Enter went to the message, not to the deck.
    expect(await page.evaluate(() => window.Reveal.getCurrentSlide().id)).toBe('ws-chat-demo');

    // The server restarts in place: the page is closed with 1012 and comes back by itself.
    await page.evaluate((sel) => (document.querySelector(sel) as HTMLElement).liveTerminal!.source!.input('/restart\r'), TERM);
    await page.waitForFunction((sel) => document.querySelector<HTMLElement>(sel)?.dataset.opens === '2', CLIENT, { timeout: 15_000 });
    expect(await log(page)).toContain('closed by the server: 1012 (service restart)');
    expect(await log(page)).toContain('reconnected');

    // The whole process restarts (a new port, read from its first line): back again.
    await page.click(`${TERM} button[data-action="restart"]`);
    await page.waitForFunction((sel) => document.querySelector<HTMLElement>(sel)?.dataset.opens === '3', CLIENT, { timeout: 20_000 });
    expect((await state(page)).state).toBe('open');

    await page.click(`${TERM} button[data-action="stop"]`);
    await page.waitForSelector(`${CLIENT}[data-state="stopped"]`, { timeout: 10_000 });
    // → still changes the slide once the message box lost the focus.
    await page.click('#ws-chat-demo h2');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => window.Reveal.getCurrentSlide().id !== 'ws-chat-demo');
    await page.close();
  }, 90_000);

  it('static site: replays what the recorded server relayed, and its restart', async () => {
    const page = await deck.browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(deck.site.url);
    await page.waitForFunction(() => window.Reveal?.isReady());
    await gotoSlide(page, 'ws-chat-demo');
    await page.waitForSelector(`${CLIENT}[data-state="replay"]`);
    expect(await page.isDisabled(`${CLIENT} input`)).toBe(true);
    await page.waitForSelector(`${TERM}[data-mode="replay"] .lt-replay`);
    await page.click(`${TERM} button[data-action="run"]`);
    await page.selectOption(`${TERM} .lt-speed`, '4');
    await page.waitForSelector(`${TERM}[data-state="exited"]`, { timeout: 30_000 });
    const shown = await log(page);
    expect(shown).toContain('host: hello from the host');
    expect(shown).toContain('closed by the server: 1012 (service restart)');
    // Messages relayed after the restart: the recorded bots came back by themselves.
    expect(shown.slice(shown.indexOf('closed by the server: 1012 (service restart)') + 1).some((l) => /^(alice|bob): /.test(l))).toBe(true);
    expect(await page.textContent(`${CLIENT} .wc-status`)).toMatch(/replay ended/);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
