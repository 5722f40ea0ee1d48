// On a projector the deck is scaled to the screen: terminals draw at device size with a font
// scaled by the deck (not a blurry CSS transform), Z zooms them, and T switches the theme.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, gotoSlide } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';
import type { DemoServer } from '../../server/http/demo-server.js';

let server: DemoServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(server.url);
  await page.waitForFunction(() => window.Reveal?.isReady());
  await gotoSlide(page, 'hello-demo');
  await page.waitForSelector('#hello-demo .live-terminal[data-variant="blocking"][data-state="idle"]');
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const sel = '#hello-demo .live-terminal[data-variant="blocking"]';

describe('terminals on a big screen', () => {
  it('scale their font with the deck and undo its transform', async () => {
    const scale = await page.evaluate(() => window.Reveal.getScale());
    expect(scale).toBeGreaterThan(1.2);
    const font = Number(await page.$eval(sel, (el) => (el as HTMLElement).dataset.fontSize));
    // The font fitted to the box, in the slide's pixels, times the deck's scale: at most the
    // deck's 24 logical px, and more than the 16 it once was (hello's box has room).
    expect(font / scale).toBeLessThanOrEqual(24.01);
    expect(font / scale).toBeGreaterThan(16);
    // Net transform of the terminal's screen is the identity: device pixels, true mouse positions.
    const net = await page.$eval(`${sel} .xterm-screen`, (el) => {
      const r = el.getBoundingClientRect();
      return r.width / (el as HTMLElement).offsetWidth;
    });
    expect(net).toBeCloseTo(1, 2);
  });

  it('Z zooms the terminals, and cycles back', async () => {
    const before = Number(await page.$eval(sel, (el) => (el as HTMLElement).dataset.fontSize));
    const cols = await page.$eval(sel, (el) => (el as HTMLElement).liveTerminal!.term.cols);
    await page.keyboard.press('z');
    await page.waitForFunction((s) => document.querySelector<HTMLElement>(s)?.dataset.zoom === '1.3', sel);
    const after = Number(await page.$eval(sel, (el) => (el as HTMLElement).dataset.fontSize));
    expect(after / before).toBeCloseTo(1.3, 1);
    expect(await page.$eval(sel, (el) => (el as HTMLElement).liveTerminal!.term.cols)).toBeLessThan(cols);
    await page.keyboard.press('z');
    await page.keyboard.press('z');
    await page.waitForFunction((s) => document.querySelector<HTMLElement>(s)?.dataset.zoom === '1', sel);
  });

  it('T switches to the light theme and back', async () => {
    const bg = () => page.evaluate(() => getComputedStyle(document.querySelector('.reveal-viewport') ?? document.body).backgroundColor);
    const dark = await bg();
    await page.keyboard.press('t');
    expect(await page.evaluate(() => document.documentElement.classList.contains('theme-light'))).toBe(true);
    expect(await bg()).not.toBe(dark);
    await page.keyboard.press('t');
    expect(await bg()).toBe(dark);
  });
});
