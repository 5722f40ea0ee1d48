// Accessibility, checked by axe-core on every slide as a reader gets it: the static site,
// each slide shown with all its steps and its replay widgets mounted; the phone's scroll
// view; and the live deck's demo slides with their Run/Stop controls. No serious or
// critical violation anywhere (contrast, names of controls, ARIA, landmarks). And the code
// on the slides, token by token and step by step, in both themes (WCAG AA, 4.5:1).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { AxeBuilder } from '@axe-core/playwright';
import axe from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { join } from 'node:path';
import { launchBrowser } from '../helpers/browser.js';
import { openDeckIn, showWholeSlide, slidesWith } from '../helpers/deck-page.js';
import { serveStatic, type StaticSite } from '../helpers/static-server.js';
import { ROOT, startTestServer } from '../helpers/server.js';
import type { DemoServer } from '../../server/http/demo-server.js';

let site: StaticSite;
let live: DemoServer;
let browser: Browser;

beforeAll(async () => {
  [site, live, browser] = await Promise.all([serveStatic(join(ROOT, 'dist')), startTestServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
  await live?.close();
});

const SEVERE = new Set(['serious', 'critical']);

type Violation = { id: string; impact?: string | null; help: string; nodes: { target: unknown[]; any: { data?: unknown }[] }[] };

/** One line per severe violation, with the first few elements; for contrast, their colours and ratio. */
const report = (where: string, violations: Violation[]) =>
  violations
    .filter((v) => SEVERE.has(v.impact ?? ''))
    .map((v) => {
      const nodes = v.nodes.slice(0, 3).map((n) => {
        const d = n.any[0]?.data as { fgColor?: string; bgColor?: string; contrastRatio?: number; expectedContrastRatio?: string } | undefined;
        return n.target.join(' ') + (d?.fgColor ? ` (${d.fgColor} on ${d.bgColor}: ${d.contrastRatio}, needs ${d.expectedContrastRatio})` : '');
      });
      return `${where}: ${v.id} (${v.impact}): ${v.help}: ${nodes.join(' | ')}`;
    });

/** The whole page, as @axe-core/playwright checks it (it injects axe-core into every frame). */
async function severeViolations(page: Page, where: string): Promise<string[]> {
  return report(where, (await new AxeBuilder({ page }).analyze()).violations);
}

const SLIDE_AND_CONTROLS = ['.reveal section.present', '.reveal .controls', '.reveal .slide-number'];

/** The current slide and the deck's controls (or `include`): axe-core injected once and run
 *  again per slide, as a whole-page run through AxeBuilder costs about a second each. */
async function severeOnSlide(page: Page, where: string, opts: { rules?: string[]; include?: string[] } = {}): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  const violations = await page.evaluate(
    ({ include, rules }) =>
      (window as unknown as { axe: typeof axe }).axe.run(
        { include: include.map((s) => [s]) } as axe.ElementContext,
        { resultTypes: ['violations'], ...(rules ? { runOnly: rules } : {}) },
      ),
    { include: opts.include ?? SLIDE_AND_CONTROLS, rules: opts.rules },
  );
  return report(where, violations.violations);
}

async function openDeck(url: string, viewport = { width: 1280, height: 720 }): Promise<Page> {
  const context = await browser.newContext({ viewport }); // axe needs a page of its own context
  return openDeckIn(await context.newPage(), url);
}

/**
 * Contrast of every piece of text in the current slide's code blocks against the block's
 * background, WCAG's ratio: each step's copy of a block in its shown state (highlighted lines
 * in their token colours, the other lines dimmed), output blocks, and the label naming where a
 * block comes from. Computed here rather than left to axe: a block's step copies lie on top of
 * each other, and axe leaves text it finds overlapped unchecked ("needs review"); and 4.5:1 for
 * every token, bold or large (WCAG lets those pass at 3:1), as a projector washes colours out.
 */
function codeContrastOnSlide(): { checked: number; colours: string[]; failures: string[] } {
  const parse = (c: string): [number, number, number, number] => {
    const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(c);
    if (!m) throw new Error(`unreadable colour ${c}`);
    return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
  };
  const over = (fg: [number, number, number, number], bg: [number, number, number]): [number, number, number] =>
    [0, 1, 2].map((i) => fg[i]! * fg[3] + bg[i]! * (1 - fg[3])) as [number, number, number];
  const luminance = (rgb: [number, number, number]) => {
    const [r, g, b] = rgb.map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const ratio = (a: [number, number, number], b: [number, number, number]) => {
    const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (l1! + 0.05) / (l2! + 0.05);
  };
  /** The opaque colour behind `el`: the first ancestor with a background, composed over the page. */
  const backdrop = (el: Element): [number, number, number] => {
    const layers: [number, number, number, number][] = [];
    for (let a: Element | null = el; a; a = a.parentElement) {
      const bg = parse(getComputedStyle(a).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] === 1) break;
    }
    let rgb: [number, number, number] = [255, 255, 255];
    for (const l of layers.reverse()) rgb = over(l, rgb);
    return rgb;
  };
  const slide = window.Reveal.getCurrentSlide();
  const failures: string[] = [];
  const colours = new Set<string>();
  let checked = 0;
  for (const pre of slide.querySelectorAll<HTMLElement>('pre')) {
    const blocks = [...pre.querySelectorAll<HTMLElement>(':scope > code')];
    blocks.forEach((code, step) => {
      const bg = backdrop(code);
      const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent?.trim()) continue;
        const el = node.parentElement!;
        // Opacity between the text and its block; the block itself (a step shown as a
        // fragment) counts as shown.
        let alpha = 1;
        for (let a: Element | null = el; a && a !== code; a = a.parentElement) alpha *= Number(getComputedStyle(a).opacity);
        const fg = parse(getComputedStyle(el).color);
        const seen = over([fg[0], fg[1], fg[2], fg[3] * alpha], bg);
        const r = ratio(seen, bg);
        checked++;
        colours.add(`${seen.map(Math.round).join(',')} on ${bg.map(Math.round).join(',')}`);
        const dimmed = el.closest('tr:not(.highlight-line)') && code.classList.contains('has-highlights');
        if (r < 4.5)
          failures.push(`${pre.dataset.shows ?? 'code'}, step ${step}${dimmed ? ' (a dimmed line)' : ''}: "${node.textContent.trim().slice(0, 30)}" ${r.toFixed(2)}:1 (rgb(${seen.map(Math.round).join(', ')}) on rgb(${bg.map(Math.round).join(', ')}))`);
      }
    });
    const label = getComputedStyle(pre, '::after');
    if (pre.dataset.shows && label.content !== 'none') {
      const bg = backdrop(blocks[0] ?? pre);
      const seen = over(parse(label.color), bg);
      checked++;
      if (ratio(seen, bg) < 4.5) failures.push(`the label "${pre.dataset.shows}": ${ratio(seen, bg).toFixed(2)}:1`);
    }
  }
  return { checked, colours: [...colours], failures };
}

describe('code contrast, every token in every step (WCAG AA, 4.5:1)', () => {
  it.each([
    ['dark', ''],
    ['light', '?theme=light'],
  ])('%s theme', { timeout: 120_000 }, async (theme, query) => {
    const page = await openDeck(`${site.url}${query}`);
    const slides = await slidesWith(page, 'pre code');
    expect(slides.length).toBeGreaterThanOrEqual(14);
    const failures: string[] = [];
    let checked = 0;
    const colours = new Set<string>();
    let steps = 0;
    for (const i of slides) {
      const id = await showWholeSlide(page, i);
      const r = await page.evaluate(codeContrastOnSlide);
      checked += r.checked;
      r.colours.forEach((c) => colours.add(c));
      steps += await page.evaluate(() => window.Reveal.getCurrentSlide().querySelectorAll('pre code.has-highlights').length);
      failures.push(...r.failures.map((f) => `#${id}: ${f}`));
    }
    await page.context().close();
    // Highlighted tokens in several colours were read, and dimmed lines of stepped blocks.
    expect(checked).toBeGreaterThan(1000);
    console.log(`${theme} theme: ${checked} pieces of code text, ${steps} highlighted steps; colours (rgb): ${[...colours].join(' | ')}`);
    // monokai's keyword, name and plain inks, comments, dimmed lines, tracebacks
    expect(colours.size).toBeGreaterThanOrEqual(5);
    expect(steps).toBeGreaterThan(20);
    expect(failures).toEqual([]);
  });

  it('finds a token too dim to read when there is one (the check can fail)', async () => {
    const page = await openDeck(`${site.url}?theme=light`);
    const i = await page.evaluate(() => window.Reveal.getSlides().findIndex((s) => s.id === 'asyncio-code'));
    await showWholeSlide(page, i);
    await page.addStyleTag({ content: '.reveal .hljs.has-highlights tr:not(.highlight-line) { opacity: 0.45 !important; }' });
    const r = await page.evaluate(codeContrastOnSlide);
    await page.context().close();
    expect(r.failures.some((f) => /step \d \(a dimmed line\): .* [0-3]\.\d\d:1/.test(f)), r.failures.join('\n')).toBe(true);
  });
});

describe('accessibility (axe-core)', () => {
  it('finds no serious or critical violation on any slide of the static site', { timeout: 240_000 }, async () => {
    const page = await openDeck(site.url);
    const count = await page.evaluate(() => window.Reveal.getSlides().length);
    const found = await severeViolations(page, 'title, whole page');
    for (let i = 0; i < count; i++) {
      const id = await showWholeSlide(page, i);
      found.push(...(await severeOnSlide(page, id)));
    }
    await page.context().close();
    expect(found).toEqual([]);
  });

  it('finds no contrast failure in the light theme either', { timeout: 240_000 }, async () => {
    const page = await openDeck(`${site.url}?theme=light`);
    const count = await page.evaluate(() => window.Reveal.getSlides().length);
    const found: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = await showWholeSlide(page, i);
      found.push(...(await severeOnSlide(page, id, { rules: ['color-contrast'] })));
    }
    await page.context().close();
    expect(found).toEqual([]);
  });

  it('finds none in the phone scroll view, every slide on one page', async () => {
    const page = await openDeck(site.url, { width: 412, height: 823 });
    expect(await page.evaluate(() => (window.Reveal as unknown as { isScrollView(): boolean }).isScrollView())).toBe(true);
    const found = await severeViolations(page, 'scroll view');
    await page.context().close();
    expect(found).toEqual([]);
  });

  it('finds none on the live deck’s demo slides', { timeout: 120_000 }, async () => {
    const page = await openDeck(live.url);
    const demos = await slidesWith(page, '.live-terminal, .live-meters');
    expect(demos.length).toBeGreaterThan(5);
    const found: string[] = [];
    let liveRunButtons = 0;
    for (const i of demos) {
      const id = await showWholeSlide(page, i);
      // What differs from the static site: the live widgets (their bar has Run, Stop, Restart).
      found.push(...(await severeOnSlide(page, id, { include: ['section.present .live-terminal', 'section.present .live-meters'] })));
      liveRunButtons += await page.locator('section.present .live-terminal[data-mode="live"] button[data-action="run"]').count();
    }
    // The live controls were the ones checked: Run, Stop, Restart beside a live terminal.
    expect(liveRunButtons).toBeGreaterThan(5);
    await page.context().close();
    expect(found).toEqual([]);
  });
});
