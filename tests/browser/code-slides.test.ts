// Code on slides is highlighted and built up step by step (line highlights as fragments).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { join } from 'node:path';
import { launchBrowser } from '../helpers/browser.js';
import { serveStatic, type StaticSite } from '../helpers/static-server.js';
import { ROOT } from '../helpers/server.js';

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
});
