// A program that floods its terminal, like `yes`, must leave the tab responsive, and
// Ctrl-C typed into the terminal must stop it at once. Told by counts the server keeps
// (bytes sent, pauses, what the page had yet to draw), not by how long things took.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, gotoSlide } from '../helpers/browser.js';
import { startTestServer, FIXTURE_DEMOS } from '../helpers/server.js';
import type { DemoServer } from '../../server/http/demo-server.js';
import type { DemoRun } from '../../server/run/demo-run.js';
import { PAGE_WINDOW } from '../../server/session/page-socket.js';

/** A page's window at its largest: above it the PTY is paused until the page acknowledges. */
const HIGH_WATER = PAGE_WINDOW.grow?.max ?? PAGE_WINDOW.high;

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

/** The server's one run (the flood this page started). */
function floodRun(): DemoRun {
  const runs = [...server.runs.values()];
  expect(runs).toHaveLength(1);
  return runs[0]!;
}

/** Waits until `pred` holds, checked every 50 ms; fails after `ms` saying what it waited for. */
async function until(pred: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The most one read of a PTY returns (libuv reads 64 KiB at a time). */
const ONE_READ = 64 * 1024;

describe('a flood of output', () => {
  it('the page sets the pace, keeps painting while it draws, and Ctrl-C stops the flood within one window', async () => {
    await page.click('#flood button[data-action="run"]');
    await page.waitForSelector('#flood[data-state="running"]');
    const run = floodRun();
    // The page draws the flood and acknowledges it, so it keeps coming: megabytes, where a
    // page that froze (and so stopped acknowledging) would hold it at one window.
    await until(() => run.stats.outputBytes > 4 * 1024 * 1024, 'the page to draw 4 MB of the flood');
    // Python writes far faster than a terminal draws: the page's acknowledgements paused it.
    expect(run.stats.pauses.acks).toBeGreaterThan(0);
    // Frames are painted while the flood is drawn: output went on between the first and the
    // tenth frame the page painted.
    const before = run.stats.outputBytes;
    await page.evaluate(
      () => new Promise<void>((resolve) => {
        let n = 0;
        const tick = () => (++n >= 10 ? resolve() : requestAnimationFrame(tick));
        requestAnimationFrame(tick);
      }),
    );
    expect(run.stats.outputBytes).toBeGreaterThan(before);
    expect(await page.$eval('#flood', (el) => (el as HTMLElement).liveTerminal!.text())).toMatch(/yyyyyyyy/);

    // When Ctrl-C reaches the server: what the page has yet to draw, and what comes after it.
    let atCtrlC: { backlog: number; emitted: number } | undefined;
    const write = run.write.bind(run);
    run.write = (input) => {
      if (!atCtrlC && Buffer.from(input).includes(0x03)) atCtrlC = { backlog: run.paceSetter?.unacknowledged ?? 0, emitted: run.stats.outputBytes };
      return write(input);
    };
    await page.click('#flood .lt-screen');
    await page.keyboard.press('Control+C');
    await page.waitForSelector('#flood[data-state="exited"]', { timeout: 30_000 });
    expect(await page.$eval('#flood', (el) => (el as HTMLElement).liveTerminal!.text())).toMatch(/exited with code 130/);
    expect(atCtrlC, 'Ctrl-C reached the server').toBeDefined();
    // Stopped "at once" as a person sees it: between the key and the exit the page drew at
    // most about one window (what it had not drawn yet, and what the program wrote until the
    // signal), not the megabytes a page without flow control would have had queued.
    const drawnAfterCtrlC = atCtrlC!.backlog + (run.stats.outputBytes - atCtrlC!.emitted);
    console.log(`flood: ${(run.stats.outputBytes / 1e6).toFixed(1)} MB drawn, ${run.stats.pauses.acks} pauses; ${drawnAfterCtrlC} bytes between Ctrl-C and the exit`);
    expect(drawnAfterCtrlC).toBeLessThanOrEqual(HIGH_WATER + 2 * ONE_READ);
    expect(server.runs.count).toBe(0);
  });
});
