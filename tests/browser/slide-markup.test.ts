// `record` and `doctor` read the chapters' markup without a DOM (shared/slide-markup.ts);
// the deck reads the same markup from its DOM. On every chapter file, the scanner must find
// the same elements with the same attributes as Chromium's own HTML parser does.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { ROOT } from '../helpers/server.js';
import { readTerminal, startTags } from '../../shared/slide-markup.js';

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.newPage();
});
afterAll(() => browser?.close());

const dir = join(ROOT, 'slides/chapters');
const chapters = readdirSync(dir).filter((f) => f.endsWith('.html')).sort();

/**
 * Every element of a chapter, in document order, as Chromium parses it. Names lower-cased:
 * inside inline SVG the parser restores SVG's camelCase (viewBox, refX), which the scanner,
 * reading HTML's case-insensitive names, does not; no widget markup lives in SVG.
 */
function parsedByChromium(html: string): Promise<{ name: string; attrs: Record<string, string> }[]> {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'text/html');
    return [...doc.querySelectorAll('body *')].map((el) => ({
      name: el.localName.toLowerCase(),
      attrs: Object.fromEntries([...el.attributes].map((a) => [a.name.toLowerCase(), a.value])),
    }));
  }, html);
}

describe('the slide-markup scanner', () => {
  it('has chapters to read', () => {
    expect(chapters.length).toBeGreaterThanOrEqual(10);
  });

  for (const file of chapters) {
    it(`reads ${file} as the browser does`, async () => {
      const html = readFileSync(join(dir, file), 'utf8');
      const ours = startTags(html).map(({ name, attrs }) => ({ name, attrs: { ...attrs } }));
      const theirs = await parsedByChromium(html);
      expect(ours).toEqual(theirs);
      // And so every terminal's reading is the deck's.
      const terminals = (tags: { attrs: Record<string, string> }[]) =>
        tags.filter((t) => (t.attrs.class ?? '').split(/\s+/).includes('live-terminal')).map((t) => readTerminal(t.attrs));
      expect(terminals(ours)).toEqual(terminals(theirs));
    });
  }
});
