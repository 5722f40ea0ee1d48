// Legible from the back row: on every slide, at a projector's sizes (1920×1080, 1280×720,
// 1024×768), no title or label is cut short, no line of code is clipped at its box's edge,
// and nothing spills out of the slide. Walked as a reader gets the deck (the static site:
// replays, with their "recorded on" label) and as a presenter does (the live demo slides:
// Run, Stop, Restart in the terminals' bars), every step of every slide shown.
import { describe, it, expect, beforeAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { useLiveAndStatic } from '../helpers/deck-sites.js';
import { openDeckIn, showWholeSlide, slidesWith } from '../helpers/deck-page.js';

const SIZES = [
  { width: 1920, height: 1080 },
  { width: 1280, height: 720 },
  { width: 1024, height: 768 },
];

const sites = useLiveAndStatic();
let browser: Browser;
beforeAll(() => {
  browser = sites.browser;
});

async function openDeck(url: string, viewport: { width: number; height: number }): Promise<Page> {
  return openDeckIn(await browser.newPage({ viewport }), url);
}

/** What a person would see cut on the slide shown: one line per problem. */
function problemsOnSlide(): string[] {
  const slide = window.Reveal.getCurrentSlide() as HTMLElement;
  const box = document.querySelector('.reveal .slides')!.getBoundingClientRect();
  const scale = window.Reveal.getScale();
  const px = (n: number) => Math.round(n / scale);
  const out: string[] = [];
  const name = (el: Element) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${[...el.classList].slice(0, 2).map((c) => `.${c}`).join('')}`;
  const text = (el: Element) => (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 50);
  const shown = (el: Element) => {
    const cs = getComputedStyle(el);
    return cs.display !== 'none' && cs.visibility !== 'hidden' && (el as HTMLElement).getClientRects().length > 0;
  };
  // Inside a terminal's screen, xterm.js lays out its own rows (checked by the terminal's tests).
  const skip = (el: Element) => el.closest('aside.notes, .xterm, .lt-screen, .lt-snapshot') !== null;

  // 1. Text cut short by an ellipsis.
  for (const el of slide.querySelectorAll<HTMLElement>('*')) {
    if (skip(el) || !shown(el)) continue;
    if (getComputedStyle(el).textOverflow === 'ellipsis' && text(el) && el.scrollWidth > el.clientWidth + 1)
      out.push(`${name(el)} cuts its text ("${text(el)}"): ${px(el.scrollWidth)} px wide in ${px(el.clientWidth)}`);
  }

  // 2. Text clipped: every piece of text ends inside each box around it that clips (a code
  //    block, a terminal's bar, a label), so no line of code or title loses its end.
  const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
  const clippedBy = new Map<Element, string>();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement!;
    if (!node.textContent?.trim() || skip(parent) || !shown(parent) || clippedBy.has(parent)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    // (An SVG text's range rects ignore its text-anchor: its element's box is where it is drawn.)
    const svgText = parent instanceof SVGElement ? parent.closest('text') : null;
    const rects = (svgText ? [svgText.getBoundingClientRect()] : [...range.getClientRects()]).filter((r) => r.width > 0);
    for (let a: Element | null = parent; a && a !== slide.parentElement; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
      const ar = a.getBoundingClientRect();
      const k = ar.width / ((a as HTMLElement).offsetWidth ?? a.clientWidth + 2 * a.clientLeft) || 1; // an <svg> has no offsetWidth
      const inner = { left: ar.left + a.clientLeft * k, top: ar.top + a.clientTop * k, right: ar.left + (a.clientLeft + a.clientWidth) * k, bottom: ar.top + (a.clientTop + a.clientHeight) * k };
      const beyond = Math.max(0, ...rects.map((r) => Math.max(r.right - inner.right, inner.left - r.left, r.bottom - inner.bottom - 1, inner.top - r.top - 1)));
      if (beyond > 0.5) {
        const line = parent.closest('td.hljs-ln-code') ?? parent;
        const where = parent.closest('pre') ? ` (${(parent.closest('pre') as HTMLElement).dataset.shows ?? 'code'})` : '';
        clippedBy.set(parent, `text clipped by ${px(beyond)} px at the edge of ${name(a)}: "${text(line)}"${where}`);
        break;
      }
    }
  }
  out.push(...clippedBy.values());

  // 3. Nothing visible outside the slide's box: what an element shows is its box cut by every
  //    ancestor that clips (a terminal's screen, a code block), up to the slide.
  for (const el of slide.querySelectorAll<Element>('*')) {
    if (skip(el) || !shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    let [left, top, right, bottom] = [r.left, r.top, r.right, r.bottom];
    for (let a = el.parentElement; a && a !== slide; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
      const ar = a.getBoundingClientRect();
      [left, top, right, bottom] = [Math.max(left, ar.left), Math.max(top, ar.top), Math.min(right, ar.right), Math.min(bottom, ar.bottom)];
    }
    if (right <= left || bottom <= top) continue;
    const over = Math.max(box.left - left, top < box.top ? box.top - top : 0, right - box.right, bottom - box.bottom);
    if (px(over) > 1) out.push(`${name(el)} ("${text(el)}") reaches ${px(over)} px outside the slide`);
  }
  return [...new Set(out)];
}

async function walk(url: string, only: 'all' | 'demos'): Promise<string[]> {
  const found: string[] = [];
  for (const size of SIZES) {
    const page = await openDeck(url, size);
    const indices = await slidesWith(page, only === 'demos' ? '.live-terminal' : undefined);
    expect(indices.length).toBeGreaterThan(only === 'all' ? 40 : 10);
    for (const i of indices) {
      const id = await showWholeSlide(page, i);
      for (const p of await page.evaluate(problemsOnSlide)) found.push(`${size.width}×${size.height} #${id}: ${p}`);
    }
    await page.close();
  }
  return found;
}

describe('legible at projector sizes', () => {
  it('cuts no title, label or line of code, and spills nothing off any slide (static site: replays)', { timeout: 300_000 }, async () => {
    const found = await walk(`${sites.site.url}?minutes=45`, 'all');
    expect(found).toEqual([]);
  });

  it('nor on the live deck’s demo slides, with Run, Stop and Restart in the bars', { timeout: 200_000 }, async () => {
    const found = await walk(`${sites.server.url}?minutes=45`, 'demos');
    expect(found).toEqual([]);
  });

  it('finds a cut title, a clipped line of code and a caption off the slide when there are some', async () => {
    const page = await openDeck(`${sites.site.url}#/subs-demo`, SIZES[2]!);
    await showWholeSlide(page, await page.evaluate(() => window.Reveal.getSlides().findIndex((s) => s.id === 'subs-demo')));
    await page.evaluate(() => {
      const t = document.querySelector<HTMLElement>('#subs-asyncio .lt-title')!;
      t.textContent = 'asyncio, one thread, a title far too long to fit in this bar at all';
      Object.assign(t.style, { whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis', flex: '1 1 0' });
      const code = document.createElement('pre');
      code.innerHTML = '<code style="display:block;width:200px;overflow:hidden;white-space:pre">x = "a line of code much wider than its block"</code>';
      document.querySelector('#subs-demo')!.append(code);
      const spill = document.createElement('p');
      spill.textContent = 'a caption pushed off the slide';
      Object.assign(spill.style, { position: 'relative', left: '1200px', width: '300px' });
      document.querySelector('#subs-demo')!.append(spill);
    });
    const found = await page.evaluate(problemsOnSlide);
    await page.close();
    expect(found.some((p) => /span\.lt-title cuts its text/.test(p)), found.join('\n')).toBe(true);
    expect(found.some((p) => /^p \("a caption pushed off the slide"\) reaches \d+ px outside the slide$/.test(p)), found.join('\n')).toBe(true);
    expect(found.some((p) => /text clipped by \d+ px at the edge of code: "x = \"a line/.test(p)), found.join('\n')).toBe(true);
  });
});
