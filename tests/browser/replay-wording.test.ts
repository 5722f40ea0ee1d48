// Replays speak as replays: read online (the static site: every demo a recording), no slide
// says "running live", "Press ▶ Run" or "type a line", where the button says ▶ Play and typing
// does nothing; and the live talk says nothing of "a recorded run". Every slide's visible text
// is read, every step shown, with its widgets mounted (their bars say Run or Play too).
import { describe, it, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { useLiveAndStatic } from '../helpers/deck-sites.js';
import { openDeckIn, showWholeSlide, slidesWith } from '../helpers/deck-page.js';

const sites = useLiveAndStatic();

/** Wording that is true only while the demos run live on the presenter's machine. */
const LIVE_ONLY = [/running live/i, /\blive on this machine\b/i, /▶ Run\b/, /\btype (a line|into)\b/i, /\bin the terminal\b/i, /\bclick into\b/i, /\bthis machine\b/i, /\bmeasured here\b/i, /, live:/];
/** Wording that is true only of a replay. */
const REPLAY_ONLY = [/\brecorded run\b/i, /▶ Play\b/, /\breplays a real run\b/i, /\bthis talk’s runs\b/, /\bwatch\b/i];

/** Each slide's visible text (not its notes, not a terminal's screen), every step shown. */
async function slideTexts(page: Page, only: 'all' | 'demos'): Promise<{ id: string; text: string }[]> {
  const indices = await slidesWith(page, only === 'demos' ? '.live-terminal' : undefined);
  const out: { id: string; text: string }[] = [];
  for (const i of indices) {
    const id = await showWholeSlide(page, i);
    const text = await page.evaluate(() => {
      // The shown slide's innerText (it honours CSS: hidden wording is not read), minus notes and screens.
      const shown = window.Reveal.getCurrentSlide() as HTMLElement;
      const hidden = [...shown.querySelectorAll<HTMLElement>('aside.notes, .lt-screen')];
      const saved = hidden.map((h) => h.style.display);
      for (const h of hidden) h.style.display = 'none';
      const t = shown.innerText;
      hidden.forEach((h, k) => (h.style.display = saved[k]!));
      return t;
    });
    out.push({ id, text });
  }
  return out;
}

function matches(texts: { id: string; text: string }[], patterns: RegExp[]): string[] {
  return texts.flatMap(({ id, text }) =>
    patterns.flatMap((p) => {
      const line = text.split('\n').find((l) => p.test(l));
      return line ? [`#${id}: ${p} in "${line.trim()}"`] : [];
    }),
  );
}

describe('replays speak as replays', () => {
  it('the static site says nothing that is true only live', { timeout: 120_000 }, async () => {
    const page = await openDeckIn(await sites.browser.newPage({ viewport: { width: 1280, height: 720 } }), `${sites.site.url}?minutes=45`);
    expect(await page.evaluate(() => document.documentElement.dataset.demos)).toBe('replay');
    const texts = await slideTexts(page, 'all');
    await page.close();
    expect(texts.length).toBeGreaterThan(40);
    expect(matches(texts, LIVE_ONLY)).toEqual([]);
    // It does say what to do instead: press Play, and watch the interactive ones.
    const all = texts.map((t) => t.text).join('\n');
    expect(all).toMatch(/Press ▶ Play on both/);
    expect(all).toMatch(/A recorded run: watch the line typed/);
  });

  it('the live talk says nothing that is true only of a replay', { timeout: 120_000 }, async () => {
    const page = await openDeckIn(await sites.browser.newPage({ viewport: { width: 1280, height: 720 } }), `${sites.server.url}?minutes=45`);
    expect(await page.evaluate(() => document.documentElement.dataset.demos)).toBe('live');
    const texts = await slideTexts(page, 'all');
    await page.close();
    expect(matches(texts, REPLAY_ONLY)).toEqual([]);
    const all = texts.map((t) => t.text).join('\n');
    expect(all).toMatch(/Press ▶ Run on both/);
    expect(all).toMatch(/Click into the terminal, type a line/);
  });

  it('the check finds live wording when a replay shows some', async () => {
    const page = await openDeckIn(await sites.browser.newPage({ viewport: { width: 1280, height: 720 } }), `${sites.site.url}#/hello-demo`);
    await page.evaluate(() => document.querySelector('#hello-demo .only-live')!.classList.remove('only-live'));
    const texts = await slideTexts(page, 'demos');
    await page.close();
    expect(matches(texts, LIVE_ONLY).some((m) => m.startsWith('#hello-demo: /▶ Run\\b/'))).toBe(true);
  });
});
