// The published talk: the built site on a plain static server under a sub-path, no demo
// server behind it. Demos replay real recordings; print and phones work too.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { join } from 'node:path';
import { launchBrowser, gotoSlide } from '../helpers/browser.js';
import { serveStatic, type StaticSite } from '../helpers/static-server.js';
import { ROOT } from '../helpers/server.js';

let site: StaticSite;
let browser: Browser;

beforeAll(async () => {
  site = await serveStatic(join(ROOT, 'dist'), '/what-is-async/');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe('the static site', () => {
  it('replays a recorded demo to its end, with its meters, and says when it was recorded', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(site.url);
    await page.waitForFunction(() => window.Reveal?.isReady());
    await gotoSlide(page, 'chat-demo');
    const term = '#chat-asyncio';
    await page.waitForSelector(`${term}[data-mode="replay"] .lt-replay`);
    expect(await page.textContent(`${term} .lt-recorded`)).toMatch(/^recorded on \d{4}-\d\d-\d\d · .*Python 3\./);
    await page.click(`${term} button[data-action="run"]`);
    await page.selectOption(`${term} .lt-speed`, '4');
    await page.waitForSelector(`${term}[data-state="exited"]`, { timeout: 30_000 });
    const text = await page.$eval(term, (el) => (el as HTMLElement).liveTerminal!.text());
    expect(text).toMatch(/Chat room on 127\.0\.0\.1/);
    expect(text).toMatch(/alice: /);
    const meters = await page.$eval('#chat-demo .live-meters', (el) => ({ ...(el as HTMLElement).dataset }));
    expect(Number(meters.samples)).toBeGreaterThan(10);
    expect(Number(meters.rssBytes)).toBeGreaterThan(5 * 2 ** 20);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fills the "measured here" figures from the recorded C10K runs', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(site.url);
    await page.waitForFunction(() => window.Reveal?.isReady());
    // Each slot's recording is fetched as its slide comes near.
    const slides = await page.$$eval('[data-measure]', (els) => [...new Set(els.map((e) => e.closest('section')!.id))]);
    for (const id of slides) await gotoSlide(page, id);
    await page.waitForFunction(() => !document.querySelector('[data-measure]:not([data-measured-bytes])'), null, { timeout: 10_000 });
    const figures = await page.$$eval('[data-measure][data-measured-bytes]', (els) =>
      Object.fromEntries(els.map((e) => [(e as HTMLElement).dataset.measure, Number((e as HTMLElement).dataset.measuredBytes)])),
    );
    // A thread per connection costs several times a coroutine's memory: the talk's claim, as recorded.
    expect(figures['c10k/threads']).toBeGreaterThan(3 * figures['c10k/asyncio']!);
    expect(figures['c10k/asyncio']).toBeGreaterThan(figures['c10k/selectors']!);
    await page.close();
  });

  it('seeks: the screen is rebuilt up to the chosen moment', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${site.url}#/hello-demo`);
    await page.waitForFunction(() => window.Reveal?.isReady());
    const term = '#hello-demo .live-terminal[data-variant="blocking"]';
    await page.waitForSelector(`${term} .lt-replay`);
    await page.click(`${term} button[data-action="run"]`);
    await page.waitForSelector(`${term}[data-state="exited"]`, { timeout: 20_000 });
    const all = await page.$eval(term, (el) => (el as HTMLElement).liveTerminal!.text());
    expect(all).toMatch(/3 requests in/);
    // The recording's step markers: ticks on the seek bar, and the last one passed is named.
    expect(await page.$$eval(`${term} datalist option`, (os) => os.map((o) => o.textContent))).toEqual(['first request sent', 'all answered']);
    expect(await page.textContent(`${term} .lt-time`)).toMatch(/· all answered$/);
    // Back to the start: only the first lines are on screen again.
    await page.$eval(`${term} .lt-seek`, (el) => {
      const input = el as HTMLInputElement;
      input.value = '0.05';
      input.dispatchEvent(new Event('input'));
    });
    const early = await page.$eval(term, (el) => (el as HTMLElement).liveTerminal!.text());
    expect(early).not.toMatch(/3 requests in/);
    // Dragged to its far right (which the range's step may round short of the end): the end,
    // with the run's conclusion on screen.
    await page.$eval(`${term} .lt-seek`, (el) => {
      const input = el as HTMLInputElement;
      input.value = input.max;
      input.dispatchEvent(new Event('input'));
    });
    await page.waitForSelector(`${term}[data-state="exited"]`);
    expect(await page.$eval(term, (el) => (el as HTMLElement).liveTerminal!.text())).toMatch(/3 requests in[\s\S]*exited normally/);
    await page.close();
  });

  it('prints every demo slide with a snapshot of its final screen and meters', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${site.url}?print-pdf`);
    await page.waitForFunction(() => window.Reveal?.isReady());
    const count = await page.$$eval('.live-terminal', (els) => els.length);
    await page.waitForFunction((n) => document.querySelectorAll('.live-terminal[data-snapshot="true"], .live-terminal[data-state="error"]').length === n, count, { timeout: 20_000 });
    // Meters mount after the terminals of their slide.
    await page.waitForFunction(() => !document.querySelector('.live-meters:not(.lm-mounted)'), null, { timeout: 10_000 });
    await page.waitForFunction(() => Number((document.querySelector('#chat-demo .live-meters') as HTMLElement).dataset.samples) > 0, null, { timeout: 10_000 });
    // The final screen: the room's last messages and how the run ended (not its first lines).
    const snap = await page.$eval('#chat-asyncio .lt-snapshot', (el) => el.textContent ?? '');
    expect(snap).toMatch(/alice: [\s\S]*── stopped ──/);
    expect(await page.$eval('#chat-demo .live-meters', (el) => Number((el as HTMLElement).dataset.samples))).toBeGreaterThan(10);
    // Nothing blank: every snapshot has text.
    const blanks = await page.$$eval('.live-terminal[data-snapshot="true"] .lt-snapshot', (els) => els.filter((e) => !(e.textContent ?? '').trim()).length);
    expect(blanks).toBe(0);
    const pdf = await page.pdf({ width: '1280px', height: '720px', printBackground: true });
    expect(pdf.byteLength).toBeGreaterThan(10_000);
    await page.close();
  });

  it('reads on a phone (390×844, touch, scroll view): on every demo slide each terminal is stacked full width with real height, Play can be tapped, 12 rows of legible text, its replay bar whole', { timeout: 240_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const page = await context.newPage();
    await page.goto(`${site.url}?minutes=45`);
    await page.waitForFunction(() => window.Reveal?.isReady());
    expect(await page.evaluate(() => (window.Reveal as unknown as { isScrollView(): boolean }).isScrollView())).toBe(true);
    const terminals = await page.$$eval('section .live-terminal', (els) => els.map((e) => e.id));
    expect(terminals.length).toBeGreaterThan(30);
    const found: string[] = [];
    for (const id of terminals) {
      const t = `#${id}`;
      await page.$eval(t, (el) => el.scrollIntoView({ block: 'start' }));
      await page.waitForSelector(`${t} .lt-replay .lt-seek`, { timeout: 15_000 });
      await page.$eval(t, (el) => el.scrollIntoView({ block: 'start' }));
      await page.tap(`${t} button[data-action="run"]`);
      const state = await page
        .waitForFunction((sel) => ['running', 'exited'].includes(document.querySelector<HTMLElement>(sel)?.dataset.state ?? ''), t, { timeout: 5000 })
        .then(() => 'played')
        .catch(() => 'not played');
      if (state !== 'played') found.push(`${t}: a tap on Play did not play it`);
      // To the end, so the last rows have text.
      await page.$eval(t, (el) => {
        const c = (el as HTMLElement).liveTerminal!.source!.controls!;
        c.seek(c.duration);
      });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const m = await page.$eval(t, (el) => {
        const term = (el as HTMLElement).liveTerminal!.term;
        const r = el.getBoundingClientRect();
        const screen = el.querySelector('.lt-screen')!.getBoundingClientRect();
        const rows = el.querySelector('.xterm-screen')!.getBoundingClientRect();
        const x = el.querySelector<HTMLElement>('.xterm')!;
        const font = term.options.fontSize! * (x.getBoundingClientRect().width / x.offsetWidth);
        const bar = el.querySelector<HTMLElement>('.lt-replay')!;
        const br = bar.getBoundingClientRect();
        const cut = [...bar.children]
          .filter((c) => c.getClientRects().length > 0)
          .filter((c) => {
            const cr = c.getBoundingClientRect();
            return cr.left < br.left - 1 || cr.right > br.right + 1 || cr.top < br.top - 1 || cr.bottom > br.bottom + 1 || (c as HTMLElement).scrollWidth > (c as HTMLElement).clientWidth + 1;
          })
          .map((c) => c.className);
        return { width: r.width, height: r.height, rows: term.rows, font, rowsBottom: rows.bottom, screenBottom: screen.bottom, barRight: br.right, cut, minRows: Number((el as HTMLElement).dataset.minRows ?? 12) };
      });
      if (m.width < 340 || m.height < 150) found.push(`${t}: ${m.width.toFixed(0)}×${m.height.toFixed(0)} px, not stacked at full width with real height`);
      if (m.rows < Math.min(12, m.minRows)) found.push(`${t}: ${m.rows} rows`);
      if (m.font < 11) found.push(`${t}: text ${m.font.toFixed(1)} px`);
      if (m.rowsBottom > m.screenBottom + 1) found.push(`${t}: rows below its box`);
      if (m.barRight > 390 + 1 || m.cut.length) found.push(`${t}: its replay bar is cut (${m.cut.join(', ') || 'off the screen'})`);
      // The meters under a slide's terminals have real height too.
      const sel = `.live-meters[data-terminals~="${id}"]`;
      if (await page.$(sel)) {
        await page.$eval(sel, (el) => el.scrollIntoView({ block: 'end' }));
        await page.waitForSelector(`${sel}.lm-mounted`, { timeout: 10_000 }).catch(() => undefined);
        const h = await page.$eval(sel, (el) => el.getBoundingClientRect().height);
        if (h < 50) found.push(`${sel}: meters ${h.toFixed(0)} px tall`);
      }
    }
    await context.close();
    expect(found).toEqual([]);
  });
});
