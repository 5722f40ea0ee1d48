// The online talk's first visit: the built site on a static server that gzips as real hosts
// do. Before the title slide is shown only what it needs crosses the wire (≤ 150 KiB); the
// rest (terminal code, highlighting, recordings) comes when a slide near it needs it. Its
// text face is self-hosted WOFF2, subset to the deck's characters, and never hides text.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { join } from 'node:path';
import { launchBrowser, gotoSlide } from '../helpers/browser.js';
import { serveStatic, type StaticSite } from '../helpers/static-server.js';
import { measureFirstLoad, type FirstLoad } from '../helpers/first-load.js';
import { ROOT } from '../helpers/server.js';

let site: StaticSite;
let browser: Browser;
let title: FirstLoad;

const BUDGET = 150 * 1024;
/** What the title slide does not need: it must not be fetched before the slide is shown. */
const LATER = /assets\/(widgets|addon-|highlight)[^/]*\.js|recordings\//;

beforeAll(async () => {
  site = await serveStatic(join(ROOT, 'dist'), '/what-is-async/', { gzip: true });
  browser = await launchBrowser();
  title = await measureFirstLoad(browser, site.url);
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

const names = (ts: { url: string }[]) => ts.map((t) => t.url.replace(site.url, ''));

describe('the first visit', () => {
  it(`transfers at most ${BUDGET / 1024} KiB before the title slide is shown, and none of what later slides need`, () => {
    const list = title.requestsBeforeShown.map((t) => `${(t.bytes / 1024).toFixed(1)} KiB ${t.url.replace(site.url, '')}`).join('\n');
    expect(title.beforeShown, list).toBeLessThanOrEqual(BUDGET);
    expect(names(title.requestsBeforeShown).filter((u) => LATER.test(u))).toEqual([]);
    // The counting saw the real thing: the page, its script, its styles and its fonts.
    expect(title.requestsBeforeShown.map((t) => t.type)).toEqual(expect.arrayContaining(['Document', 'Script', 'Stylesheet', 'Font']));
    // Nothing it never asked for arrives while it sits on the title.
    expect(names(title.requestsAfterShown).filter((u) => LATER.test(u))).toEqual([]);
  });

  it('self-hosts its fonts as WOFF2 files, shown with font-display: swap', async () => {
    const fonts = title.requestsBeforeShown.filter((t) => t.type === 'Font');
    expect(fonts.length).toBeGreaterThanOrEqual(2);
    for (const f of fonts) expect(f.url).toMatch(new RegExp(`^${site.url}assets/source-sans-pro-\\d00-(normal|italic)-[\\w-]+\\.woff2$`));
    const page = await browser.newPage();
    await page.goto(site.url);
    await page.waitForFunction(() => window.Reveal?.isReady());
    const faces = await page.evaluate(() => [...document.fonts].map((f) => ({ family: f.family, weight: f.weight, style: f.style, display: f.display })));
    await page.close();
    // The four faces reveal.js's theme had, and no other: none hides text while it loads.
    expect(faces.map((f) => `${f.weight} ${f.style}`).sort()).toEqual(['400 italic', '400 normal', '600 italic', '600 normal']);
    for (const f of faces) expect({ ...f, family: f.family.replace(/"/g, '') }).toMatchObject({ family: 'Source Sans Pro', display: 'swap' });
  });

  it('has every character on its slides in the font subset, so none is drawn in a fallback face', async () => {
    const page = await browser.newPage();
    await page.goto(site.url);
    await page.waitForFunction(() => window.Reveal?.isReady());
    const missing = await page.evaluate(() => {
      const ranges = (r: string) =>
        r.split(',').map((part) => {
          const [a, b] = part.trim().replace(/^U\+/i, '').split('-');
          return [parseInt(a!, 16), parseInt(b ?? a!, 16)] as const;
        });
      const faces = [...document.fonts].map((f) => ({ key: `${f.weight} ${f.style}`, ranges: ranges(f.unicodeRange) }));
      const out: string[] = [];
      for (const slide of window.Reveal.getSlides()) {
        const copy = slide.cloneNode(true) as HTMLElement;
        copy.querySelectorAll('aside.notes, pre, code, script, style').forEach((n) => n.remove());
        for (const ch of new Set(copy.textContent ?? '')) {
          const cp = ch.codePointAt(0)!;
          if (cp < 0x20 || /\s/.test(ch)) continue;
          for (const f of faces) if (!f.ranges.some(([a, b]) => cp >= a && cp <= b)) out.push(`${slide.id}: "${ch}" U+${cp.toString(16)} not in ${f.key}`);
        }
      }
      return out;
    });
    await page.close();
    expect(missing).toEqual([]);
  });

  it('fetches the terminal code and the recording when a demo slide comes, and highlighting when a code slide does', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url().replace(site.url, '')));
    await page.goto(site.url);
    await page.waitForFunction(() => window.Reveal?.isReady());
    await page.waitForTimeout(500);
    expect(requested.filter((u) => LATER.test(u))).toEqual([]);
    await gotoSlide(page, 'hello-demo');
    await page.waitForSelector('#hello-demo .live-terminal.lt-mounted .lt-replay');
    expect(requested.some((u) => /assets\/widgets-[\w-]+\.js$/.test(u))).toBe(true);
    expect(requested.some((u) => /^recordings\/hello\/.+\.cast$/.test(u))).toBe(true);
    expect(requested.some((u) => /highlight/.test(u))).toBe(false);
    const codeSlide = await page.evaluate(() => document.querySelector('pre code[data-line-numbers]')!.closest('section')!.id);
    await gotoSlide(page, codeSlide);
    await page.waitForSelector(`#${codeSlide} pre code.hljs`);
    expect(requested.some((u) => /assets\/highlight-[\w-]+\.js$/.test(u))).toBe(true);
    await page.close();
  });
});
