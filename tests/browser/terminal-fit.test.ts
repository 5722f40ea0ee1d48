// Every terminal fits its box, as the browser draws it: at 1920×1080 and 1024×768, and with
// Z at its largest step, its rows lie inside the box and fill it (less than a row left
// over), its last row is visible (nothing covers it, nothing clips it), and at the deck's
// zoom it has the 42 columns × 12 rows its demo's output is shaped for (more rows where the
// slide says so: data-min-rows). At 1024×768 its text is at
// least 18 px on screen wherever the box could hold those 42 × 12 at 18 px.
// Measured in the page (bounding rects, hit tests), after reveal.js's scale.
import { describe, it, expect, beforeAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { useLiveAndStatic } from '../helpers/deck-sites.js';
import { openDeckIn, playReplaysToEnd, showWholeSlide, slidesWith } from '../helpers/deck-page.js';

const sites = useLiveAndStatic();
let browser: Browser;
beforeAll(() => {
  browser = sites.browser;
});

interface Fit {
  id: string;
  cols: number;
  rows: number;
  /** The rows its slide says its output needs (data-min-rows), else 12. */
  minRows: number;
  /** Text size on screen, CSS px. */
  font: number;
  problems: string[];
}

/** Each terminal on the slide shown, measured as drawn. */
function measure(): Fit[] {
  return [...window.Reveal.getCurrentSlide().querySelectorAll<HTMLElement>('.live-terminal')].map((t) => {
    const problems: string[] = [];
    const term = t.liveTerminal!.term;
    const screen = t.querySelector<HTMLElement>('.lt-screen')!;
    const sr = screen.getBoundingClientRect();
    const k = sr.width / screen.offsetWidth; // the deck's scale, as drawn
    const cs = getComputedStyle(screen);
    const box = {
      left: sr.left + parseFloat(cs.paddingLeft) * k,
      right: sr.right - parseFloat(cs.paddingRight) * k,
      top: sr.top + parseFloat(cs.paddingTop) * k,
      bottom: sr.bottom - parseFloat(cs.paddingBottom) * k,
    };
    // What can be seen of the terminal: its own box, less the replay bar below the screen.
    const tr = t.getBoundingClientRect();
    const bar = t.querySelector('.lt-replay')?.getBoundingClientRect();
    const visibleBottom = Math.min(tr.bottom - t.clientTop * k, bar ? bar.top : Infinity);
    const rows = t.querySelector('.xterm-screen')!.getBoundingClientRect(); // the rows, as drawn
    const cellH = rows.height / term.rows;
    const cellW = rows.width / term.cols;
    if (rows.top < box.top - 1 || rows.left < box.left - 1 || rows.right > box.right + 1) problems.push(`rows outside the box: ${JSON.stringify(rows)} in ${JSON.stringify(box)}`);
    if (rows.bottom > box.bottom + 1) problems.push(`the last ${((rows.bottom - box.bottom) / cellH).toFixed(1)} rows are below the box`);
    if (rows.bottom > visibleBottom + 1) problems.push(`the last row is ${(rows.bottom - visibleBottom).toFixed(0)} px below what can be seen`);
    const spare = box.bottom - rows.bottom;
    if (spare > cellH + 2) problems.push(`${spare.toFixed(0)} px of the box left empty below the rows (${((spare / (box.bottom - box.top)) * 100).toFixed(0)} %; a row is ${cellH.toFixed(0)} px)`);
    // The last row is on top where it is drawn: nothing covers it.
    const hit = document.elementFromPoint(rows.left + rows.width / 2, rows.bottom - cellH / 2);
    if (!hit || !t.querySelector('.xterm')!.contains(hit)) problems.push(`the last row is covered by ${hit?.tagName.toLowerCase()}.${hit?.className}`);
    const host = t.querySelector<HTMLElement>('.xterm')!;
    const font = term.options.fontSize! * (host.getBoundingClientRect().width / host.offsetWidth);
    // 42 × 12 cells at 18 px, with the cell's proportions as measured: did the box have room?
    const at18 = { w: (cellW * 18) / font, h: (cellH * 18) / font };
    const minRows = Number(t.dataset.minRows ?? 12);
    const roomFor18 = (box.right - box.left - 20) / at18.w >= 42 && (box.bottom - box.top) / at18.h >= minRows;
    if (window.innerWidth <= 1024 && roomFor18 && font < 17.9) problems.push(`text is ${font.toFixed(1)} px where the box has room for 42 × ${minRows} at 18 px`);
    return { id: t.id, cols: term.cols, rows: term.rows, minRows, font, problems };
  });
}

async function walk(url: string, viewport: { width: number; height: number }, zoomSteps: number): Promise<Fit[]> {
  const page = await openDeckIn(await browser.newPage({ viewport }), url);
  for (let z = 0; z < zoomSteps; z++) await page.keyboard.press('z');
  const out: Fit[] = [];
  for (const i of await slidesWith(page, '.live-terminal')) {
    await showWholeSlide(page, i);
    await toTheEnd(page);
    out.push(...(await page.evaluate(measure)));
  }
  await page.close();
  return out;
}

/** A replay plays to its end (the last line of its output is the last row); a live terminal stays as it is. */
async function toTheEnd(page: Page): Promise<void> {
  await playReplaysToEnd(page);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

const problems = (fits: Fit[], where: string) => fits.flatMap((f) => f.problems.map((p) => `${where} #${f.id}: ${p}`));
const tooSmall = (fits: Fit[], where: string) => fits.filter((f) => f.cols < 42 || f.rows < f.minRows).map((f) => `${where} #${f.id}: ${f.cols}×${f.rows}`);

describe('terminals fit their boxes', () => {
  it('at 1920×1080 and 1024×768 (replays, played to the end): rows inside and filling the box, the last one visible, 42×12 at least', { timeout: 200_000 }, async () => {
    const found: string[] = [];
    for (const viewport of [{ width: 1920, height: 1080 }, { width: 1024, height: 768 }]) {
      const fits = await walk(`${sites.site.url}?minutes=45`, viewport, 0);
      expect(fits.length).toBeGreaterThan(30);
      found.push(...problems(fits, `${viewport.width}×${viewport.height}`), ...tooSmall(fits, `${viewport.width}×${viewport.height}`));
    }
    expect(found).toEqual([]);
  });

  it('with Z at its largest step, at 1024×768: still inside, filled, the last row visible', { timeout: 120_000 }, async () => {
    const fits = await walk(`${sites.site.url}?minutes=45`, { width: 1024, height: 768 }, 2);
    expect(fits.length).toBeGreaterThan(30);
    expect(problems(fits, 'Z 160 %')).toEqual([]);
  });

  it('live at 1024×768: 18 px text wherever the box has room, and 42×12 everywhere', { timeout: 120_000 }, async () => {
    const fits = await walk(`${sites.server.url}?minutes=45`, { width: 1024, height: 768 }, 0);
    console.log(`text on screen at 1024×768, live: ${fits.map((f) => `${f.id} ${f.font.toFixed(1)} px ${f.cols}×${f.rows}`).join('; ')}`);
    expect([...problems(fits, 'live 1024×768'), ...tooSmall(fits, 'live 1024×768')]).toEqual([]);
    // Most terminals reach it; pairs and the three-terminal slides say what they reach in the log.
    expect(fits.filter((f) => f.font >= 17.9).length).toBeGreaterThanOrEqual(8);
  });

  it('finds rows clipped below a box and a box left empty when there are some', async () => {
    const page = await openDeckIn(await browser.newPage({ viewport: { width: 1024, height: 768 } }), `${sites.site.url}#/hello-demo`);
    await showWholeSlide(page, await page.evaluate(() => window.Reveal.getSlides().findIndex((s) => s.id === 'hello-demo')));
    await toTheEnd(page);
    // More rows than the box holds (the old screen, scaled inside the flex layout, drew 30 %
    // more below its box at 1024×768), and fewer than it holds.
    await page.evaluate(() => {
      const b = document.querySelector<HTMLElement>('#hello-blocking')!.liveTerminal!.term;
      b.resize(b.cols, Math.round(b.rows * 1.3));
      const t = document.querySelector<HTMLElement>('#hello-selectors')!;
      t.liveTerminal!.term.resize(t.liveTerminal!.term.cols, 5);
    });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const fits = await page.evaluate(measure);
    await page.close();
    const p = problems(fits, '');
    expect(p.some((x) => /#hello-blocking: the last [\d.]+ rows are below the box/.test(x)), p.join('\n')).toBe(true);
    expect(p.some((x) => /#hello-selectors: \d+ px of the box left empty/.test(x)), p.join('\n')).toBe(true);
  });
});
