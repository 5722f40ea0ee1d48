// Accessibility, checked by axe-core on every slide as a reader gets it: the static site,
// each slide shown with all its steps and its replay widgets mounted; the phone's scroll
// view; and the live deck's demo slides with their Run/Stop controls. No serious or
// critical violation anywhere (contrast, names of controls, ARIA, landmarks).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { AxeBuilder } from '@axe-core/playwright';
import axe from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { join } from 'node:path';
import { launchBrowser } from '../helpers/browser.js';
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
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => window.Reveal?.isReady());
  await page.evaluate(() => window.Reveal.configure({ transition: 'none', backgroundTransition: 'none' }));
  // Fragments and line steps fade in: check what they look like once shown, not halfway.
  await page.addStyleTag({ content: '*, *::before, *::after { transition: none !important; animation: none !important; }' });
  return page;
}

/** Shows slide i with all its steps, once its widgets are mounted and its code highlighted. */
async function showSlide(page: Page, i: number): Promise<string> {
  const id = await page.evaluate((index) => {
    const slide = window.Reveal.getSlides()[index]!;
    const { h, v } = window.Reveal.getIndices(slide);
    window.Reveal.slide(h, v ?? 0);
    return slide.id;
  }, i);
  await page.waitForFunction(() => !window.Reveal.getCurrentSlide().querySelector('.live-terminal:not(.lt-mounted), .live-meters:not(.lm-mounted), pre code:not(.hljs)'));
  await page.evaluate(() => {
    for (const f of window.Reveal.getCurrentSlide().querySelectorAll('.fragment')) f.classList.add('visible');
  });
  return id;
}

describe('accessibility (axe-core)', () => {
  it('finds no serious or critical violation on any slide of the static site', { timeout: 240_000 }, async () => {
    const page = await openDeck(site.url);
    const count = await page.evaluate(() => window.Reveal.getSlides().length);
    const found = await severeViolations(page, 'title, whole page');
    for (let i = 0; i < count; i++) {
      const id = await showSlide(page, i);
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
      const id = await showSlide(page, i);
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
    const demos = await page.evaluate(() =>
      window.Reveal.getSlides()
        .map((s, i) => (s.querySelector('.live-terminal, .live-meters') ? i : -1))
        .filter((i) => i >= 0),
    );
    expect(demos.length).toBeGreaterThan(5);
    const found: string[] = [];
    let liveRunButtons = 0;
    for (const i of demos) {
      const id = await showSlide(page, i);
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
