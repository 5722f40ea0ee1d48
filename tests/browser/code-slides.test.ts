// Code on slides is highlighted and built up step by step (line highlights as fragments),
// with highlight.js loaded only when a code slide comes near.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { join } from 'node:path';
import { launchBrowser, gotoSlide } from '../helpers/browser.js';
import { serveStatic, type StaticSite } from '../helpers/static-server.js';
import { ROOT } from '../helpers/server.js';
import { readSample } from '../../slides/build/sample-regions.js';

let site: StaticSite;
let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  site = await serveStatic(join(ROOT, 'dist'));
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(site.url);
  await page.waitForFunction(() => window.Reveal?.isReady());
  await page.evaluate(() => window.Reveal.configure({ transition: 'none' }));
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe('code slides', () => {
  it('highlight Python and step through line highlights', async () => {
    const codeSlide = await page.evaluate(() => document.querySelector('pre code[data-line-numbers*="|"]')!.closest('section')!.id);
    await gotoSlide(page, codeSlide);
    // data-line-numbers="1-3|4-6" becomes one highlighted copy of the block per step.
    await page.waitForFunction(() => document.querySelector('pre code.hljs.fragment.has-highlights .hljs-keyword') !== null, null, { timeout: 10_000 });
    const steps = await page.evaluate((id) => {
      const slide = document.getElementById(id)!;
      const { h, v } = window.Reveal.getIndices(slide);
      window.Reveal.slide(h, v, -1);
      const before = window.Reveal.availableFragments();
      window.Reveal.nextFragment();
      const shown = slide.querySelector('pre code.current-fragment');
      return {
        next: before.next,
        fragmentIndex: window.Reveal.getIndices().f,
        blocks: slide.querySelectorAll('pre code').length,
        shownStep: shown?.getAttribute('data-line-numbers'),
        shownLines: [...(shown?.querySelectorAll('tr.highlight-line td.hljs-ln-code') ?? [])].map((td) => Number(td.getAttribute('data-line-number'))),
      };
    }, codeSlide);
    expect(steps.next).toBe(true);
    expect(steps.fragmentIndex).toBe(0);
    expect(steps.blocks).toBeGreaterThan(1); // one copy per step, as reveal.js's highlight plugin builds them
    // The lines lit in the step are the ones its data-line-numbers names.
    const expected = steps.shownStep!.split(',').flatMap((r) => {
      const [a, b] = r.split('-').map(Number);
      return Array.from({ length: (b ?? a!) - a! + 1 }, (_, i) => a! + i);
    });
    expect(steps.shownLines).toEqual(expected);
  });

  it('highlights every code block in a language it knows, one fragment per step after the first', async () => {
    // The overview shows every slide, so everything is highlighted once it opens.
    await page.evaluate(() => window.Reveal.toggleOverview(true));
    await page.waitForFunction(() => document.querySelector('pre code:not(.hljs)') === null, null, { timeout: 10_000 });
    await page.evaluate(() => window.Reveal.toggleOverview(false));
    const blocks = await page.evaluate(async () => {
      // The blocks as written, before highlighting rewrote them.
      const written = new DOMParser().parseFromString(await (await fetch(location.href)).text(), 'text/html');
      const sources = [...written.querySelectorAll('.reveal pre > code')];
      return [...document.querySelectorAll<HTMLElement>('.reveal pre')].map((pre, i) => {
        const codes = [...pre.querySelectorAll<HTMLElement>(':scope > code')];
        const first = codes[0]!;
        return {
          slide: pre.closest('section')!.id,
          language: /language-([\w-]+)/.exec(sources[i]?.className ?? '')?.[1],
          highlighted: codes.every((c) => c.classList.contains('hljs')),
          tokens: first.querySelectorAll('span[class^="hljs-"]').length,
          copies: codes.length - 1,
          steps: (sources[i]?.getAttribute('data-line-numbers') ?? '').split('|').length - 1,
        };
      });
    });
    expect(blocks.length).toBeGreaterThan(5);
    for (const b of blocks) {
      expect(b.language, `${b.slide}: a code block names its language`).toBeDefined();
      expect(b.highlighted, b.slide).toBe(true);
      if (b.language === 'python') expect(b.tokens, b.slide).toBeGreaterThan(3);
      expect(b.copies, b.slide).toBe(b.steps);
    }
    // An unknown language is reported (console error), not silently left plain.
    expect(errors).toEqual([]);
  });

  it('show, line for line, the code of the sample each names, with where it comes from', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(site.url);
    await page.waitForFunction(() => window.Reveal?.isReady());
    // Visit each code slide, so each is shown (and highlighted) as the audience sees it.
    const ids = await page.$$eval('pre[data-shows]', (pres) => [...new Set(pres.map((p) => p.closest('section')!.id))]);
    for (const id of ids) {
      await gotoSlide(page, id);
      await page.waitForFunction((sid) => document.querySelector(`#${sid} pre[data-shows] code.hljs`) !== null, id, { timeout: 10_000 });
    }
    const blocks = await page.$$eval('pre[data-shows]', (pres) =>
      pres.map((pre) => {
        const code = pre.querySelector('code')!; // the first copy: the one shown before any step
        const cells = [...code.querySelectorAll('td.hljs-ln-code')];
        const lines = cells.length ? cells.map((c) => (c.textContent === ' ' ? '' : (c.textContent ?? ''))) : (code.textContent ?? '').split('\n');
        return { ref: code.dataset.sample ?? '', output: code.dataset.output ?? '', label: pre.dataset.shows ?? '', lines };
      }),
    );
    const samples = blocks.filter((b) => b.ref);
    expect(samples.length).toBeGreaterThanOrEqual(14);
    for (const b of samples) {
      const region = readSample(join(ROOT, 'demos'), b.ref);
      expect(b.lines.join('\n').trimEnd(), b.ref).toBe(region.text);
      expect(b.label, b.ref).toBe(`${region.file.split('/').pop()} · lines ${region.first}–${region.last}`);
    }
    expect(blocks.filter((b) => b.output).every((b) => /^printed by a real run · recorded \d{4}-\d\d-\d\d, Python 3\./.test(b.label))).toBe(true);
    await page.close();
  });
});
