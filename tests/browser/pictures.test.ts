// The talk's illustrations: drawn for the project as small SVGs, fetched only when their
// slide comes near (none is in the first load), named for screen readers, and legible in
// both themes (the label on a picture keeps its contrast with the picture's panel).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, gotoSlide } from '../helpers/browser.js';
import { startTestServer, ROOT } from '../helpers/server.js';
import type { DemoServer } from '../../server/http/demo-server.js';

let server: DemoServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const PICTURES = ['subs', 'pizza', 'oven', 'omakase', 'waiter', 'event-loop'];

function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
const contrast = (a: string, b: string) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
};

/** The drawing chunks the page has fetched so far. */
async function fetched(page: Page): Promise<string[]> {
  const urls = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
  return PICTURES.filter((p) => urls.some((u) => new RegExp(`/assets/${p}-[\\w-]+\\.js$`).test(u)));
}

describe('the pictures', () => {
  it('are small SVG files, one per picture', () => {
    const files = readdirSync(join(ROOT, 'assets/pictures'));
    for (const p of PICTURES) {
      expect(files).toContain(`${p}.svg`);
      expect(statSync(join(ROOT, 'assets/pictures', `${p}.svg`)).size).toBeLessThan(4096);
    }
  });

  it('load only near their slide, and are named for screen readers', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${server.url}#/title`);
    await page.waitForFunction(() => window.Reveal?.isReady());
    await page.waitForFunction(() => document.querySelectorAll('#three-foods .picture svg').length === 3);
    // The title slide and its neighbour: not the pictures of later chapters.
    expect(await fetched(page)).not.toContain('event-loop');
    expect(await fetched(page)).not.toContain('waiter');
    await gotoSlide(page, 'what-is-title');
    await page.waitForSelector('#what-is-title .picture[data-picture="event-loop"] svg');
    expect(await fetched(page)).toContain('event-loop');
    const names = await page.$$eval('#three-foods .picture', (figs) => figs.map((f) => [f.getAttribute('role'), f.getAttribute('aria-label')]));
    for (const [role, name] of names) {
      expect(role).toBe('img');
      expect(name!.length).toBeGreaterThan(20);
    }
    await page.close();
  });

  it('take the theme: the panel changes with it, and its label stays legible on it', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${server.url}#/omakase`);
    await page.waitForFunction(() => window.Reveal?.isReady());
    await page.waitForSelector('#omakase .picture svg .p-label');
    const colours = () =>
      page.$eval('#omakase .picture svg', (svg) => ({
        panel: getComputedStyle(svg.querySelector('.p-bg')!).fill,
        label: getComputedStyle(svg.querySelector('.p-label')!).fill,
      }));
    const dark = await colours();
    await page.keyboard.press('t');
    const light = await colours();
    expect(light.panel).not.toBe(dark.panel);
    expect(contrast(dark.label, dark.panel)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(light.label, light.panel)).toBeGreaterThanOrEqual(4.5);
    // The picture lies inside its slide.
    const box = await page.$eval('#omakase .picture', (f) => {
      const r = f.getBoundingClientRect();
      const s = (f.closest('section') as HTMLElement).getBoundingClientRect();
      return { inside: r.left >= s.left - 1 && r.right <= s.right + 1 && r.top >= s.top - 1 && r.bottom <= s.bottom + 1, w: r.width };
    });
    expect(box.inside).toBe(true);
    expect(box.w).toBeGreaterThan(200);
    await page.close();
  });
});
