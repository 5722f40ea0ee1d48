// The talk keeps to its slot. Presented live, every slide has a time and the times add up to
// the 30-minute slot, without the slides marked for a longer one; ?minutes=45 brings those
// in and stretches the times to 45 minutes; read online, the whole deck is there. The
// speaker view shows the pace: the time left on this slide, ahead or behind.
import { describe, it, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { ROOT } from '../helpers/server.js';
import { useLiveAndStatic } from '../helpers/deck-sites.js';

const deck = useLiveAndStatic();

/** What the chapter files declare, read independently of the deck's code. */
const declared = readdirSync(join(ROOT, 'slides/chapters'))
  .filter((f) => f.endsWith('.html'))
  .flatMap((f) => [...readFileSync(join(ROOT, 'slides/chapters', f), 'utf8').matchAll(/<section id="([a-z0-9-]+)"([^>]*)>/g)])
  .filter((m) => !m[1]!.startsWith('ch-'))
  .map((m) => ({ id: m[1]!, seconds: Number(/data-timing="(\d+)"/.exec(m[2]!)?.[1] ?? NaN), long: /data-slot="long"/.test(m[2]!) }));

async function openDeck(page: Page, url: string): Promise<{ ids: string[]; seconds: number[]; total: number }> {
  await page.goto(url);
  await page.waitForFunction(() => window.Reveal?.isReady());
  return page.evaluate(() => {
    const attrs = window.Reveal.getSlidesAttributes() as Record<string, string>[];
    return {
      ids: window.Reveal.getSlides().map((s) => s.id),
      seconds: attrs.map((a) => Number(a['data-timing'])),
      total: Number((window.Reveal.getConfig() as { totalTime?: number }).totalTime),
    };
  });
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('the pace of the talk', () => {
  it('gives every slide a time; the short talk takes 30 minutes and some slides are only for a longer slot', () => {
    expect(declared.filter((s) => !(s.seconds > 0))).toEqual([]);
    expect(sum(declared.filter((s) => !s.long).map((s) => s.seconds))).toBe(30 * 60);
    expect(declared.filter((s) => s.long).length).toBeGreaterThanOrEqual(3);
  });

  it('live, the deck is the 30-minute talk: the long slides are out and the times fill the slot', async () => {
    const page = await deck.browser.newPage({ viewport: { width: 1280, height: 720 } });
    const d = await openDeck(page, deck.server.url);
    expect(d.ids).toEqual(declared.filter((s) => !s.long).map((s) => s.id));
    expect(d.seconds.every((s) => s > 0)).toBe(true);
    expect(sum(d.seconds)).toBe(30 * 60);
    expect(d.total).toBe(30 * 60);
    await page.close();
  });

  it('?minutes=45 brings the long slides in and stretches the times to 45 minutes', async () => {
    const page = await deck.browser.newPage({ viewport: { width: 1280, height: 720 } });
    const d = await openDeck(page, `${deck.server.url}?minutes=45`);
    expect(d.ids).toEqual(declared.map((s) => s.id));
    expect(Math.abs(sum(d.seconds) - 45 * 60)).toBeLessThanOrEqual(d.ids.length); // rounding, a second a slide at most
    const ratio = d.seconds[d.ids.indexOf('c10k-demo')]! / declared.find((s) => s.id === 'c10k-demo')!.seconds;
    expect(ratio).toBeGreaterThan(1.2);
    await page.close();
  });

  it('?minutes=20 keeps the short talk and squeezes its times', async () => {
    const page = await deck.browser.newPage({ viewport: { width: 1280, height: 720 } });
    const d = await openDeck(page, `${deck.server.url}?minutes=20`);
    expect(d.ids).toEqual(declared.filter((s) => !s.long).map((s) => s.id));
    expect(Math.abs(sum(d.seconds) - 20 * 60)).toBeLessThanOrEqual(d.ids.length);
    await page.close();
  });

  it('online (no demo server) the whole deck is there', async () => {
    const page = await deck.browser.newPage({ viewport: { width: 1280, height: 720 } });
    const d = await openDeck(page, deck.site.url);
    expect(d.ids).toEqual(declared.map((s) => s.id));
    await page.close();
  });

  it('the speaker view shows the time left on this slide, and whether the speaker is ahead or behind', async () => {
    const context = await deck.browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    await page.goto(`${deck.server.url}#/title`);
    await page.waitForFunction(() => window.Reveal?.isReady());
    const [notes] = await Promise.all([context.waitForEvent('page'), page.evaluate(() => (window.Reveal.getPlugin('notes') as unknown as { open(): void }).open())]);
    await notes.waitForLoadState();
    await notes.waitForFunction(() => {
      const el = document.querySelector<HTMLElement>('.speaker-controls-time .pacing');
      return el !== null && el.style.display !== 'none' && /ahead|on-track|behind/.test(el.className);
    }, null, { timeout: 15_000 });
    const first = await notes.$eval('.speaker-controls-time .pacing', (el) => ({ cls: el.className, text: el.textContent ?? '' }));
    // Just started on a 35-second slide: ahead, with time left on it.
    expect(first.cls).toMatch(/ahead|on-track/);
    expect(first.text).toMatch(/\d\d:\d\d/);
    await context.close();
  }, 30_000);
});
