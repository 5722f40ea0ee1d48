// Code on slides is highlighted and built up step by step (line highlights as fragments).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { join } from 'node:path';
import { launchBrowser, gotoSlide } from '../helpers/browser.js';
import { serveStatic, type StaticSite } from '../helpers/static-server.js';
import { ROOT } from '../helpers/server.js';
import { readSample } from '../../slides/build/sample-regions.js';

let site: StaticSite;
let browser: Browser;

beforeAll(async () => {
  site = await serveStatic(join(ROOT, 'dist'));
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe('code slides', () => {
  it('highlight Python and step through line highlights', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(site.url);
    await page.waitForFunction(() => window.Reveal?.isReady());
    // The highlight plugin turns data-line-numbers="1-3|4-6" into one highlighted copy per step.
    await page.waitForFunction(() => document.querySelector('pre code.hljs.fragment.has-highlights .hljs-keyword') !== null, null, { timeout: 10_000 });
    const steps = await page.evaluate(() => {
      const code = document.querySelector('pre code.hljs.fragment.has-highlights')!;
      const slide = code.closest('section')!;
      const { h, v } = window.Reveal.getIndices(slide);
      window.Reveal.slide(h, v, -1);
      const before = window.Reveal.availableFragments();
      window.Reveal.nextFragment();
      return { next: before.next, fragmentIndex: window.Reveal.getIndices().f, blocks: slide.querySelectorAll('pre code').length };
    });
    expect(steps.next).toBe(true);
    expect(steps.fragmentIndex).toBe(0);
    expect(steps.blocks).toBeGreaterThan(1); // one copy per step, as the highlight plugin builds them
    await page.close();
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
