// What a person sees: the built deck in headless Chromium, a demo run in a live terminal.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, gotoSlide } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';
import { waitGone } from '../helpers/processes.js';
import type { DemoServer } from '../../server/http/demo-server.js';

let server: DemoServer;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  // A short grace period: the last test waits for it after closing the page.
  server = await startTestServer({ graceSeconds: 1 });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(server.url);
  await page.waitForFunction(() => window.Reveal?.isReady());
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The scripts the page has fetched so far whose code contains `marker`. */
function scriptsContaining(marker: string): Promise<string[]> {
  return page.evaluate(async (m) => {
    const urls = new Set(performance.getEntriesByType('resource').map((e) => e.name).filter((u) => /\.m?js(\?|$)/.test(u)));
    for (const s of document.querySelectorAll<HTMLScriptElement>('script[src]')) urls.add(s.src);
    const found: string[] = [];
    for (const url of urls) if ((await (await fetch(url)).text()).includes(m)) found.push(url);
    return found;
  }, marker);
}

/** A string xterm.js's code holds (the class of its input element): the mark of its code in a chunk, whatever the chunk is named. */
const XTERM_CODE = 'xterm-helper-textarea';

function terminalText(selector: string): Promise<string> {
  return page.$eval(selector, (el) => (el as HTMLElement).liveTerminal?.text() ?? '');
}

describe('the deck in a browser', () => {
  it('boots reveal.js, exposes window.Reveal, and loads no terminal code on the title slide', async () => {
    expect(await page.evaluate(() => window.Reveal.getTotalSlides())).toBeGreaterThanOrEqual(3);
    // The deck's own script and whatever it fetched by now: none has xterm.js's code in it.
    expect(await page.evaluate(() => document.querySelectorAll('script[src]').length)).toBeGreaterThan(0);
    expect(await scriptsContaining(XTERM_CODE)).toEqual([]);
    expect(await page.$$('.live-terminal.lt-mounted')).toHaveLength(0);
  });

  it('mounts terminals when their slide is shown, and runs a demo to its end', async () => {
    await gotoSlide(page, 'hello-demo');
    const sel = '#hello-demo .live-terminal[data-variant="blocking"]';
    await page.waitForSelector(`${sel}[data-state="idle"]`);
    // Now it came, in a chunk of its own: the check on the title slide can see it.
    expect(await scriptsContaining(XTERM_CODE)).not.toEqual([]);
    expect(await page.$eval(sel, (el) => (el as HTMLElement).dataset.renderer)).toMatch(/^(webgl|dom)$/);
    await page.click(`${sel} button[data-action="run"]`);
    await page.waitForSelector(`${sel}[data-state="exited"]`, { timeout: 20_000 });
    const text = await terminalText(sel);
    expect(text).toMatch(/3 requests in/);
    expect(text).toMatch(/exited normally \(code 0\)/);
  });

  it('forwards typing to the program and stops it with the Stop button', async () => {
    await gotoSlide(page, 'chat-demo');
    const sel = '#chat-demo .live-terminal';
    await page.waitForSelector(`${sel}[data-state="idle"]`);
    await page.click(`${sel} button[data-action="run"]`);
    await page.waitForSelector(`${sel}[data-state="running"]`);
    await page.waitForFunction((s) => /quit/i.test(document.querySelector<HTMLElement>(s)?.liveTerminal?.text() ?? ''), sel, { timeout: 15_000 });
    await page.click(`${sel} .lt-screen`);
    await page.keyboard.type('typed in the browser');
    await page.keyboard.press('Enter');
    // The bot's answer to the line: it reached the program (the echo itself may be split by a
    // bot's line printed while the keys were typed).
    await page.waitForFunction(
      (s) => /got "typed in the browser"/.test(document.querySelector<HTMLElement>(s)?.liveTerminal?.text() ?? ''),
      sel,
      { timeout: 10_000 },
    );
    // Typing in the terminal does not move the deck.
    expect(await page.evaluate(() => window.Reveal.getCurrentSlide()?.id)).toBe('chat-demo');
    await page.click(`${sel} button[data-action="stop"]`);
    await page.waitForSelector(`${sel}[data-state="exited"]`);
    expect(await terminalText(sel)).toMatch(/── stopped ──/);
  });

  it('delivers a paste far larger than one WebSocket frame, and the terminal stays connected', { timeout: 90_000 }, async () => {
    const sel = '#chat-demo .live-terminal';
    await gotoSlide(page, 'chat-demo');
    if ((await page.$eval(sel, (el) => (el as HTMLElement).dataset.state)) === 'running') await page.click(`${sel} button[data-action="stop"]`);
    await page.waitForSelector(`${sel}:is([data-state="idle"], [data-state="exited"])`);
    await page.click(`${sel} button[data-action="run"]`);
    await page.waitForSelector(`${sel}[data-state="running"]`);
    await page.waitForFunction((s) => /quit/i.test(document.querySelector<HTMLElement>(s)?.liveTerminal?.text() ?? ''), sel, { timeout: 15_000 });
    // 200 kB of lines pasted as a person pastes: a clipboard event on the terminal.
    const last = await page.evaluate((s) => {
      const lines = Array.from({ length: 2000 }, (_, i) => `pasted-line-${String(i).padStart(4, '0')}-${'x'.repeat(80)}`);
      const data = new DataTransfer();
      data.setData('text/plain', lines.join('\n') + '\n');
      const textarea = document.querySelector<HTMLTextAreaElement>(`${s} textarea`)!;
      textarea.focus();
      textarea.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
      return lines.at(-1)!;
    }, sel);
    // The first bot answers every line it hears from you: its answer to the last one arrives
    // (wrapped across rows of the terminal: the rows are joined again to find it).
    await page
      .waitForFunction(
        ([s, line]) => (document.querySelector<HTMLElement>(s!)?.liveTerminal?.text() ?? '').replaceAll('\n', '').includes(`got "${line}" from you`),
        [sel, last] as const,
        { timeout: 60_000 },
      )
      .catch(async (err: Error) => {
        throw new Error(`${err.message}\nstate ${await page.$eval(sel, (el) => (el as HTMLElement).dataset.state)}; the terminal ends with:\n${(await terminalText(sel)).slice(-1500)}`);
      });
    expect(await page.$eval(sel, (el) => (el as HTMLElement).dataset.state)).toBe('running');
    await page.click(`${sel} button[data-action="stop"]`);
    await page.waitForSelector(`${sel}[data-state="exited"]`);
  });

  it('says so on the slide when a demo is not there yet', async () => {
    await page.evaluate(() => {
      const el = document.createElement('div');
      el.className = 'live-terminal';
      el.id = 'bogus';
      el.dataset.demo = 'no-such-demo';
      document.querySelector('#chat-demo')!.append(el);
    });
    // Leave and come back: widgets mount when their slide is shown.
    await gotoSlide(page, 'hello-demo');
    await gotoSlide(page, 'chat-demo');
    await page.waitForSelector('#bogus[data-state="error"]');
    expect(await terminalText('#bogus')).toMatch(/The demo "no-such-demo" is not there yet: this server knows .*hello/);
    expect(await page.$eval('#bogus button[data-action="run"]', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
  });

  it('ends the page’s runs once their grace period passes after the page goes away, with no console errors', async () => {
    const sel = '#chat-demo .live-terminal';
    // Back from the far-away hello slide, the chat slide's terminal is a new one, ready to run.
    await page.waitForSelector(`${sel}[data-state="idle"]`);
    await page.click(`${sel} button[data-action="run"]`);
    await page.waitForSelector(`${sel}[data-state="running"]`);
    expect(server.runs.count).toBe(1);
    await page.close();
    const deadline = Date.now() + 10_000;
    while (server.runs.count > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(server.runs.count).toBe(0);
    expect(consoleErrors.join("\n")).toBe("");
  });
});
