// The whole talk in a browser: every slide renders without errors, has speaker notes, fits
// the 1280×720 slide box and keeps its text large enough for a projector; the chapters come
// in the outline's order (slides/chapters/*.html, inlined in file-name order). The deck is
// opened with ?minutes=45, so the slides kept for a longer slot are checked too.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';
import type { DemoServer } from '../../server/http/demo-server.js';

/** The outline's sections, in order: one chapter (a vertical stack) each. */
const CHAPTERS = [
  'ch-opening', // opening: title, the three foods
  'ch-food', // subs, pizza, omakase
  'ch-what-for', // what async is for
  'ch-c10k', // C10K
  'ch-hard', // why async is hard to code
  'ch-state', // ways to store state
  'ch-what-is', // so what is async?
  'ch-asyncio', // asyncio
  'ch-layers', // layers
  'ch-app', // the example application
  'ch-called', // how is this called?
  'ch-scratch', // how it works, from scratch
  'ch-vs-threads', // coroutines vs threads
  'ch-should', // should I use it?
  'ch-end', // questions and references
];

let server: DemoServer;
let browser: Browser;
let page: Page;
const errors: string[] = [];

interface SlideInfo {
  index: number;
  id: string;
  h: number;
  v: number;
}

let slides: SlideInfo[] = [];
const webglWarnings: string[] = [];

/** Runs in the page before the deck: keeps every WebGL context the page creates, to count the live ones. */
const COUNT_WEBGL = `(() => {
  const made = (window.__webgl = []);
  const getContext = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
    const ctx = getContext.call(this, type, ...rest);
    if (ctx && /^webgl/.test(type) && !made.includes(ctx)) made.push(ctx);
    return ctx;
  };
})();`;

declare global {
  interface Window {
    __webgl: WebGL2RenderingContext[];
  }
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('console', (m) => {
    if (/WebGL/.test(m.text())) webglWarnings.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`page error: ${String(e)}`));
  await page.addInitScript({ content: COUNT_WEBGL });
  await page.goto(`${server.url}?minutes=45`);
  await page.waitForFunction(() => window.Reveal?.isReady());
  await page.evaluate(() => window.Reveal.configure({ transition: 'none', backgroundTransition: 'none' }));
  slides = await page.evaluate(() =>
    window.Reveal.getSlides().map((s, index) => {
      const { h, v } = window.Reveal.getIndices(s);
      return { index, id: s.id, h, v: v ?? 0 };
    }),
  );
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the talk, slide by slide', () => {
  it('has 40–60 slides, each with an id', () => {
    expect(slides.length).toBeGreaterThanOrEqual(40);
    expect(slides.length).toBeLessThanOrEqual(60);
    expect(slides.filter((s) => !s.id)).toEqual([]);
    expect(new Set(slides.map((s) => s.id)).size).toBe(slides.length);
  });

  it('puts the chapters in the outline order, each a vertical stack opening with a title', async () => {
    const chapters = await page.evaluate(() =>
      [...document.querySelectorAll('.reveal .slides > section')].map((s) => ({
        id: s.id,
        slides: s.querySelectorAll(':scope > section').length,
        heading: s.querySelector(':scope > section:first-child')?.querySelector('h1, h2')?.textContent?.trim() ?? '',
      })),
    );
    expect(chapters.map((c) => c.id)).toEqual(CHAPTERS);
    for (const c of chapters) {
      expect(c.slides, c.id).toBeGreaterThanOrEqual(2);
      expect(c.heading, c.id).not.toBe('');
    }
  });

  it('keeps the ids the other tests rely on', async () => {
    const ids = slides.map((s) => s.id);
    for (const id of ['title', 'hello-demo', 'chat-demo']) expect(ids).toContain(id);
    expect(await page.$('#chat-demo #chat-asyncio[data-demo="chat"][data-variant="asyncio"]')).not.toBeNull();
    expect(await page.$('#chat-demo .live-meters[data-terminals="chat-asyncio"]')).not.toBeNull();
  });

  it('has speaker notes on every slide, long enough to speak from', async () => {
    const notes = await page.evaluate(() =>
      window.Reveal.getSlides().map((s) => ({
        id: s.id,
        words: (s.querySelector(':scope > aside.notes')?.textContent ?? '').trim().split(/\s+/).filter(Boolean).length,
      })),
    );
    expect(notes.filter((n) => n.words < 30)).toEqual([]);
  });

  it('credits the original talk on the title and closing slides', async () => {
    const text = (id: string) => page.$eval(`#${id}`, (el) => el.textContent ?? '');
    expect(await text('title')).toMatch(/Jesse Jiryu Davis[\s\S]*PyCon US 2014/);
    expect(await text('questions')).toMatch(/Jesse Jiryu Davis/);
    const refs = await text('references');
    for (const ref of [/C10K/, /500 Lines/, /PEP 3156/, /SlideShare/, /video/]) expect(refs).toMatch(ref);
  });

  it('points every demo slide at a demo and variant, with unique terminal ids', async () => {
    const terms = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('.live-terminal')].map((t) => ({
        id: t.id,
        demo: t.dataset.demo ?? '',
        variant: t.dataset.variant ?? '',
        params: t.dataset.params,
      })),
    );
    expect(terms.length).toBeGreaterThan(10);
    expect(new Set(terms.map((t) => t.id)).size).toBe(terms.length);
    for (const t of terms) {
      expect(t.id, JSON.stringify(t)).not.toBe('');
      expect(t.demo, t.id).not.toBe('');
      expect(t.variant, t.id).not.toBe('');
      if (t.params) expect(() => JSON.parse(t.params!), t.id).not.toThrow();
    }
    const meters = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('.live-meters')].map((m) => (m.dataset.terminals ?? '').split(/\s+/)),
    );
    for (const ids of meters) for (const id of ids) expect(await page.$(`#${id}.live-terminal`), id).not.toBeNull();
  });

  it('shows every slide without console errors, inside the 1280×720 box, with projector-sized text', async () => {
    const problems: string[] = [];
    for (const s of slides) {
      await page.evaluate(({ h, v }) => window.Reveal.slide(h, v), s);
      await page.waitForFunction((id) => window.Reveal.getCurrentSlide()?.id === id, s.id);
      // Measured once the slide's widgets are there: they change its height.
      await page.waitForFunction(() => !window.Reveal.getCurrentSlide().querySelector('.live-terminal:not(.lt-mounted), .live-meters:not(.lm-mounted), .ws-chat-client:not(.wc-mounted)'));
      const report = await page.evaluate(() => {
        const slide = window.Reveal.getCurrentSlide() as HTMLElement;
        const { width, height } = window.Reveal.getConfig() as { width: number; height: number };
        const out: string[] = [];
        if (slide.scrollHeight > height + 1) out.push(`content is ${slide.scrollHeight}px tall (> ${height})`);
        if (slide.scrollWidth > width + 1) out.push(`content is ${slide.scrollWidth}px wide (> ${width})`);
        // Body text: at least 26 logical px (sources, kickers and widget chrome are exempt).
        const exempt = '.source, .kicker, .chapter-no, .live-terminal, .live-meters, svg, pre, .notes, aside';
        for (const el of slide.querySelectorAll<HTMLElement>('p, li, td, th')) {
          if (el.closest(exempt) || !el.textContent?.trim()) continue;
          const px = parseFloat(getComputedStyle(el).fontSize);
          if (px < 26) out.push(`text "${el.textContent.trim().slice(0, 30)}" is ${px}px`);
        }
        for (const el of slide.querySelectorAll<HTMLElement>('pre code')) {
          const px = parseFloat(getComputedStyle(el).fontSize);
          if (px < 22) out.push(`code is ${px}px`);
        }
        return out;
      });
      for (const r of report) problems.push(`${s.index + 1} #${s.id}: ${r}`);
    }
    expect(problems).toEqual([]);
    expect(errors).toEqual([]);
  }, 120_000);

  it('walks the whole deck and back holding a WebGL context only for the terminals on screen', async () => {
    const live = () => page.evaluate(() => window.__webgl.filter((gl) => !gl.isContextLost()).length);
    const terminalsHere = () => page.evaluate(() => window.Reveal.getCurrentSlide().querySelectorAll('.live-terminal').length);
    const most = Math.max(...(await page.evaluate(() => window.Reveal.getSlides().map((s) => s.querySelectorAll('.live-terminal').length))));
    const walk = [...slides, ...[...slides].reverse()];
    let mostLive = 0;
    for (const s of walk) {
      await page.evaluate(({ h, v }) => window.Reveal.slide(h, v), s);
      await page.waitForFunction((id) => window.Reveal.getCurrentSlide()?.id === id, s.id);
      // Every terminal shown draws with WebGL, and only those hold a context.
      const here = await terminalsHere();
      await page.waitForFunction((n) => window.__webgl.filter((gl) => !gl.isContextLost()).length === n, here, { timeout: 10_000 });
      mostLive = Math.max(mostLive, await live());
    }
    const made = await page.evaluate(() => window.__webgl.length);
    const terminals = await page.evaluate(() => document.querySelectorAll('.live-terminal').length);
    // The walk drew every terminal with WebGL (twice: there and back), so the bound below means something.
    expect(made).toBeGreaterThanOrEqual(2 * terminals);
    expect(mostLive).toBeLessThanOrEqual(most);
    expect(webglWarnings.filter((w) => /too many active WebGL contexts/i.test(w))).toEqual([]);
    // Far from where the walk ended, nothing is left mounted: only the slides near the first remain.
    const mounted = await page.evaluate(() => document.querySelectorAll('.live-terminal.lt-mounted').length);
    expect(mounted).toBeLessThan(terminals / 4);
  }, 180_000);
});
