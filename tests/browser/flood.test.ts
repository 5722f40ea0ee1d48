// A program that floods its terminal, like `yes`, must leave the tab responsive, and
// Ctrl-C typed into the terminal must stop it at once.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, gotoSlide } from '../helpers/browser.js';
import { startTestServer, FIXTURE_DEMOS } from '../helpers/server.js';
import type { DemoServer } from '../../server/http/demo-server.js';

let server: DemoServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startTestServer({ demosDir: FIXTURE_DEMOS });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(server.url);
  await page.waitForFunction(() => window.Reveal?.isReady());
  // The deck's own slides name the real demos; this server knows the test fixtures.
  await page.evaluate(() => {
    const el = document.createElement('div');
    el.className = 'live-terminal';
    el.id = 'flood';
    el.dataset.demo = 'flood';
    document.querySelector('#hello-demo')!.replaceChildren(el);
  });
  await gotoSlide(page, 'hello-demo');
  await page.waitForSelector('#flood[data-state="idle"]');
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('a flood of output', () => {
  it('keeps the page responsive and stops on Ctrl-C', async () => {
    await page.click('#flood button[data-action="run"]');
    await page.waitForSelector('#flood[data-state="running"]');
    // Let it flood for a while, then check the page still answers promptly: a frozen tab
    // would not run a script, nor paint a frame, for seconds.
    await page.waitForTimeout(2000);
    const t0 = Date.now();
    const frames = await page.evaluate(
      () => new Promise<number>((resolve) => {
        let n = 0;
        const tick = () => (++n >= 5 ? resolve(n) : requestAnimationFrame(tick));
        requestAnimationFrame(tick);
      }),
    );
    expect(frames).toBe(5);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await page.$eval('#flood', (el) => (el as HTMLElement).liveTerminal!.text())).toMatch(/yyyyyyyy/);

    await page.click('#flood .lt-screen');
    const t1 = Date.now();
    await page.keyboard.press('Control+C');
    await page.waitForSelector('#flood[data-state="exited"]', { timeout: 10_000 });
    expect(Date.now() - t1).toBeLessThan(10_000);
    expect(await page.$eval('#flood', (el) => (el as HTMLElement).liveTerminal!.text())).toMatch(/exited with code 130/);
    expect(server.runs.count).toBe(0);
  });
});
