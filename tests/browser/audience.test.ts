// The audience follows along on their phones (serve --audience): a presenter's page and
// audience pages at 390×844 (touch) in a real Chromium, the audience's listener on 127.0.0.2
// standing in for the LAN. Slides and fragments follow; a viewer browses away and rejoins with
// one tap; a viewer joining mid-demo sees the presenter's screen; the speaker view's current
// slide's mirror of the live run is tested in speaker-view.test.ts.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, gotoSlide } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';
import type { DemoServer } from '../../server/http/demo-server.js';

let server: DemoServer;
let browser: Browser;
const SHOTS = process.env.AUDIENCE_SHOTS; // a folder: screenshots for a person to look at

beforeAll(async () => {
  server = await startTestServer({ audience: { host: '127.0.0.2', port: 0 } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function presenterPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(server.url);
  await page.waitForFunction(() => window.Reveal?.isReady());
  await page.evaluate(() => window.Reveal.configure({ transition: 'none' }));
  return page;
}

async function phonePage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await page.goto(server.audience!.url);
  await page.waitForFunction(() => window.Reveal?.isReady() && document.documentElement.dataset.following === 'true');
  return page;
}

const where = (page: Page) =>
  page.evaluate(() => ({ slide: window.Reveal.getCurrentSlide()?.id, f: window.Reveal.getIndices().f ?? -1 }));

/** The last `n` non-blank rows of a terminal's screen. */
function lastRows(text: string, n: number): string[] {
  return text.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim()).slice(-n);
}

describe('an audience page on a phone', () => {
  it('is in reveal\'s scroll view, follows the presenter\'s slide and fragment, and rejoins in one tap after browsing away', async () => {
    const presenter = await presenterPage();
    const phone = await phonePage();
    expect(await phone.evaluate(() => (window.Reveal as unknown as { isScrollView(): boolean }).isScrollView())).toBe(true);
    expect(await phone.evaluate(() => document.documentElement.dataset.demos)).toBe('audience');

    await gotoSlide(presenter, 'three-foods');
    await phone.waitForFunction(() => window.Reveal.getCurrentSlide()?.id === 'three-foods', null, { timeout: 5000 });
    // A fragment step reaches the phone too.
    await presenter.evaluate(() => window.Reveal.nextFragment());
    const f = await presenter.evaluate(() => window.Reveal.getIndices().f);
    await phone.waitForFunction((want) => window.Reveal.getIndices().f === want, f, { timeout: 5000 });
    expect(await where(phone)).toEqual({ slide: 'three-foods', f });
    if (SHOTS) await phone.screenshot({ path: `${SHOTS}/phone-following.png` });

    // The viewer scrolls back on their own: the page stays there and offers the way back.
    await phone.evaluate(() => window.Reveal.slide(0, 0));
    const button = phone.locator('button.follow-presenter');
    await button.waitFor({ state: 'visible', timeout: 5000 });
    expect(await phone.evaluate(() => window.Reveal.getCurrentSlide()?.id)).toBe('title');
    // The presenter moves on meanwhile; the viewer is not dragged along…
    await gotoSlide(presenter, 'hello-demo');
    await phone.waitForFunction(() => /a taste/.test(document.querySelector('button.follow-presenter')?.textContent ?? ''), null, { timeout: 5000 });
    expect(await phone.evaluate(() => window.Reveal.getCurrentSlide()?.id)).toBe('title');
    if (SHOTS) await phone.screenshot({ path: `${SHOTS}/phone-browsed-away.png` });
    // …until one tap.
    await button.tap();
    await phone.waitForFunction(() => window.Reveal.getCurrentSlide()?.id === 'hello-demo', null, { timeout: 5000 });
    await button.waitFor({ state: 'hidden' });
    await Promise.all([presenter.close(), phone.close()]);
  });

  it('a viewer joining mid-demo sees the presenter\'s screen at once, read-only, then its output', async () => {
    const presenter = await presenterPage();
    await gotoSlide(presenter, 'chat-demo');
    await presenter.waitForSelector('#chat-asyncio[data-state="idle"]');
    await presenter.click('#chat-asyncio button[data-action="run"]');
    await presenter.waitForSelector('#chat-asyncio[data-state="running"]');
    const presenterText = () => presenter.evaluate(() => document.querySelector<HTMLElement>('#chat-asyncio')!.liveTerminal!.text());
    await presenter.waitForFunction(() => /joined/.test(document.querySelector<HTMLElement>('#chat-asyncio')!.liveTerminal!.text()), null, { timeout: 20_000 });

    const phone = await phonePage();
    await phone.waitForFunction(() => window.Reveal.getCurrentSlide()?.id === 'chat-demo', null, { timeout: 5000 });
    await phone.waitForSelector('#chat-asyncio[data-watching="true"][data-state="running"]', { timeout: 10_000 });
    // Its screen is the presenter's: the same last rows, at the presenter's size.
    const size = await presenter.evaluate(() => {
      const t = document.querySelector<HTMLElement>('#chat-asyncio')!.liveTerminal!.term;
      return { cols: t.cols, rows: t.rows };
    });
    expect(await phone.evaluate(() => {
      const t = document.querySelector<HTMLElement>('#chat-asyncio')!.liveTerminal!.term;
      return { cols: t.cols, rows: t.rows };
    })).toEqual(size);
    const phoneText = () => phone.evaluate(() => document.querySelector<HTMLElement>('#chat-asyncio')!.liveTerminal!.text());
    const want = lastRows(await presenterText(), 3);
    await phone.waitForFunction((rows) => {
      const text = document.querySelector<HTMLElement>('#chat-asyncio')!.liveTerminal!.text();
      return rows.every((r) => text.includes(r));
    }, want, { timeout: 10_000 });
    // Read-only: no Run, Stop or Restart to tap; typing reaches nothing.
    expect(await phone.locator('#chat-asyncio button:visible').count()).toBe(0);
    const runs = server.runs.count;
    await phone.locator('#chat-asyncio .lt-screen').tap();
    await phone.keyboard.type('typed on a phone\n');
    // The presenter types; the phone shows it as it comes.
    await presenter.evaluate(() => document.querySelector<HTMLElement>('#chat-asyncio')!.liveTerminal!.source!.input('hello from the stage\r'));
    await phone.waitForFunction(() => /hello from the stage/.test(document.querySelector<HTMLElement>('#chat-asyncio')!.liveTerminal!.text()), null, { timeout: 10_000 });
    expect(await presenterText()).not.toContain('typed on a phone');
    expect(await phoneText()).not.toContain('typed on a phone');
    expect(server.runs.count).toBe(runs);
    // Its meters follow the presenter's run too.
    await phone.waitForFunction(() => Number(document.querySelector<HTMLElement>('#chat-demo .live-meters')?.dataset.rssBytes) > 0, null, { timeout: 10_000 });
    if (SHOTS) {
      await phone.evaluate(() => document.querySelector('#chat-asyncio')!.scrollIntoView());
      await phone.screenshot({ path: `${SHOTS}/phone-watching.png` });
    }
    // The presenter stops: the phone shows the end of the live run.
    await presenter.click('#chat-asyncio button[data-action="stop"]');
    await phone.waitForSelector('#chat-asyncio[data-state="exited"]', { timeout: 10_000 });
    await Promise.all([presenter.close(), phone.close()]);
  });

  it('with nothing running, a demo slide shows its recording, as the online site does', async () => {
    const presenter = await presenterPage();
    await gotoSlide(presenter, 'hello-demo');
    const phone = await phonePage();
    await phone.waitForFunction(() => window.Reveal.getCurrentSlide()?.id === 'hello-demo', null, { timeout: 5000 });
    await phone.waitForSelector('#hello-blocking .lt-replay', { timeout: 10_000 });
    expect(await phone.locator('#hello-blocking button[data-action="run"]').textContent()).toBe('▶ Play');
    expect(await phone.evaluate(() => document.querySelector<HTMLElement>('#hello-blocking')!.dataset.watching)).toBe('false');
    await Promise.all([presenter.close(), phone.close()]);
  });
});

describe('the presenter\'s deck with an audience', () => {
  it('shows the audience URL as a QR code on the title slide', async () => {
    const presenter = await presenterPage();
    const qr = presenter.locator('#title .audience-qr');
    await qr.locator('svg').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await qr.getAttribute('data-url')).toBe(server.audience!.url);
    const box = await qr.locator('svg').boundingBox();
    expect(box!.width).toBeGreaterThan(120);
    if (SHOTS) await presenter.screenshot({ path: `${SHOTS}/presenter-title.png` });
    await presenter.close();
  });
});
