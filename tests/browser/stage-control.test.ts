// The deck stays under the presenter's control on every demo slide: after ▶ Run, while the
// demo runs and after it ended, a clicker's keys (→ ← Space PageDown PageUp) change the
// slide; an interactive terminal takes typing only once clicked into, and Esc gives the keys
// back. Leaving a slide stops its live demo: its processes are gone from /proc, and coming
// back offers Run again with the screen it left.
import { describe, it, expect, beforeAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { useLiveAndStatic } from '../helpers/deck-sites.js';
import { openDeckIn, slidesWith } from '../helpers/deck-page.js';
import { gotoSlide } from '../helpers/browser.js';
import { argsOf, descendantsOf, waitGone } from '../helpers/processes.js';

const sites = useLiveAndStatic();
let browser: Browser;
beforeAll(() => {
  browser = sites.browser;
});

const current = (page: Page) => page.evaluate(() => window.Reveal.getCurrentSlide().id);

/** The processes under this test worker (the demo server runs in it) running a command that matches. */
function demoProcesses(match: RegExp): number[] {
  return descendantsOf().filter((pid) => match.test(argsOf(pid).join(' ')));
}

/** Presses Run on the slide's first terminal with a real mouse click, and waits until it runs (or ended). */
async function clickRun(page: Page, terminal: string): Promise<void> {
  await page.waitForSelector(`${terminal} button[data-action="run"]:not(:disabled)`, { timeout: 20_000 }).catch(async (e: Error) => {
    const state = await page.$eval(terminal, (el) => `${(el as HTMLElement).dataset.state}: ${(el as HTMLElement).liveTerminal?.text().slice(-300)}`);
    throw new Error(`${e.message}\n${terminal} is ${state}`);
  });
  await page.click(`${terminal} button[data-action="run"]`);
  await page.waitForFunction((t) => ['running', 'exited', 'error'].includes(document.querySelector<HTMLElement>(t)?.dataset.state ?? ''), terminal, { timeout: 15_000 });
}

describe('keys always reach the deck', () => {
  it('on every demo slide, after Run, while it runs and after it ended: → ← Space PageDown PageUp', { timeout: 240_000 }, async () => {
    const page = await openDeckIn(await browser.newPage({ viewport: { width: 1280, height: 720 } }), sites.server.url);
    const slides = await page.evaluate(() => window.Reveal.getSlides().map((s) => s.id));
    const demos = (await slidesWith(page, '.live-terminal')).map((i) => slides[i]!);
    expect(demos.length).toBeGreaterThan(12);
    const missed: string[] = [];
    /** Where the deck is: the slide, then its step (a slide with steps shows the next one first). */
    const at = () =>
      page.evaluate(() => {
        const i = window.Reveal.getIndices();
        return [window.Reveal.getSlides().indexOf(window.Reveal.getCurrentSlide() as HTMLElement), i.f ?? -1] as [number, number];
      });
    const after = (a: [number, number], b: [number, number]) => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
    /** Presses `key` on slide `id`: the deck moves, forward or back as the key says. */
    const press = async (id: string, key: string, when: string) => {
      const from = await at();
      // ← from the first chapter's stack has nowhere to go (→ always has: a demo slide is never last).
      if (key === 'ArrowLeft' && from[1] < 0 && !(await page.evaluate(() => window.Reveal.availableRoutes().left))) return;
      await page.keyboard.press(key);
      const forward = !['ArrowLeft', 'PageUp'].includes(key);
      await page
        .waitForFunction((f) => {
          const i = window.Reveal.getIndices();
          return window.Reveal.getSlides().indexOf(window.Reveal.getCurrentSlide() as HTMLElement) !== f[0] || (i.f ?? -1) !== f[1];
        }, from, { timeout: 3000 })
        .catch(() => undefined);
      const now = await at();
      if (forward ? !after(now, from) : !after(from, now)) missed.push(`#${id}: ${key} ${when} left the deck on #${slides[now[0]]} step ${now[1]}`);
    };
    /** The slide with all its steps shown, so → leaves it. */
    const showAll = (id: string) =>
      page.evaluate((slideId) => {
        const slide = document.getElementById(slideId)!;
        const { h, v } = window.Reveal.getIndices(slide);
        const steps = new Set([...slide.querySelectorAll<HTMLElement>('.fragment')].map((f) => f.dataset.fragmentIndex));
        window.Reveal.slide(h, v, steps.size - 1);
      }, id);
    for (const id of demos) {
      const term = `#${id} .live-terminal`;
      await gotoSlide(page, id);
      await showAll(id);
      // Run, then at once a key: the run is on (or just ended, for a demo of a second).
      await clickRun(page, term);
      await press(id, 'ArrowRight', 'after Run');
      // Back: the run was stopped by leaving (or had ended); the keys are the deck's either way.
      for (const key of ['ArrowLeft', 'Space', 'PageUp', 'PageDown']) {
        await gotoSlide(page, id);
        await showAll(id);
        await press(id, key, 'after the demo ended');
      }
      await gotoSlide(page, id);
      await clickRun(page, term);
      await press(id, 'PageUp', 'after Run');
      await press(id, 'PageDown', 'while it runs');
    }
    await page.close();
    expect(missed).toEqual([]);
  });

  it('while a demo runs, each key changes the slide; a click into the chat terminal takes typing, Esc gives the keys back', { timeout: 120_000 }, async () => {
    const page = await openDeckIn(await browser.newPage({ viewport: { width: 1024, height: 768 } }), sites.server.url);
    const slides = await page.evaluate(() => window.Reveal.getSlides().map((s) => s.id));
    const id = 'ws-chat-demo';
    const i = slides.indexOf(id);
    const term = '#ws-chat-room';
    for (const key of ['ArrowRight', 'ArrowLeft', 'Space', 'PageDown', 'PageUp']) {
      await gotoSlide(page, id);
      await clickRun(page, term);
      await page.waitForFunction((t) => /WebSocket chat on/.test(document.querySelector<HTMLElement>(t)?.liveTerminal?.text() ?? ''), term, { timeout: 15_000 });
      expect(await page.$eval(term, (el) => (el as HTMLElement).dataset.state), `${key}: the demo runs`).toBe('running');
      await page.keyboard.press(key);
      await page.waitForFunction((from) => window.Reveal.getCurrentSlide().id !== from, id, { timeout: 3000 }).catch(() => undefined);
      const now = slides.indexOf(await current(page));
      expect(['ArrowLeft', 'PageUp'].includes(key) ? now < i : now > i, `${key} while the chat runs: on #${slides[now]}`).toBe(true);
    }

    // Clicked into, the chat's terminal takes typing (and shows it has the keyboard) …
    await gotoSlide(page, id);
    await clickRun(page, term);
    await page.waitForFunction((t) => /Type a line/.test(document.querySelector<HTMLElement>(t)?.liveTerminal?.text() ?? ''), term, { timeout: 15_000 });
    await page.click(`${term} .lt-screen`);
    expect(await page.$eval(term, (el) => (el as HTMLElement).dataset.keyboard)).toBe('terminal');
    await page.keyboard.type('hello room');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter');
    await page.waitForFunction((t) => /hello room/.test(document.querySelector<HTMLElement>(t)?.liveTerminal?.text() ?? ''), term, { timeout: 10_000 });
    expect(await current(page), '→ and Space typed into the terminal').toBe(id);
    // … Esc gives the keys back (and opens no overview), and → changes the slide again.
    await page.keyboard.press('Escape');
    expect(await page.$eval(term, (el) => (el as HTMLElement).dataset.keyboard ?? 'deck')).toBe('deck');
    expect(await page.evaluate(() => window.Reveal.isOverview())).toBe(false);
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((from) => window.Reveal.getCurrentSlide().id !== from, id, { timeout: 3000 }).catch(() => undefined);
    expect(slides.indexOf(await current(page))).toBeGreaterThan(i);
    // From inside the terminal, a clicker's PageDown still changes the slide.
    await gotoSlide(page, id);
    await clickRun(page, term);
    await page.click(`${term} .lt-screen`);
    expect(await page.$eval(term, (el) => (el as HTMLElement).dataset.keyboard)).toBe('terminal');
    await page.keyboard.press('PageDown');
    await page.waitForFunction((from) => window.Reveal.getCurrentSlide().id !== from, id, { timeout: 3000 }).catch(() => undefined);
    expect(slides.indexOf(await current(page))).toBeGreaterThan(i);
    await page.close();
  });
});

describe('leaving a slide stops its live demo', () => {
  it('the run’s processes are gone from /proc once the presenter goes on; back, it offers Run again with the screen it left', { timeout: 60_000 }, async () => {
    const page = await openDeckIn(await browser.newPage({ viewport: { width: 1280, height: 720 } }), sites.server.url);
    const term = '#chat-asyncio';
    await gotoSlide(page, 'chat-demo');
    // (Runs of the tests before end as their pages close.)
    for (let i = 0; i < 100 && sites.server.runs.count > 0; i++) await new Promise((r) => setTimeout(r, 100));
    const before = new Set(demoProcesses(/python/));
    await clickRun(page, term);
    await page.waitForFunction((t) => /Chat room on/.test(document.querySelector<HTMLElement>(t)?.liveTerminal?.text() ?? ''), term, { timeout: 15_000 });
    const pids = demoProcesses(/python/).filter((p) => !before.has(p));
    expect(pids.length, 'the chat server and its bots run').toBeGreaterThan(0);
    expect(sites.server.runs.count).toBe(1);
    await page.keyboard.press('ArrowRight');
    expect(await waitGone(pids, 10_000), 'pids still in /proc after leaving the slide').toEqual([]);
    // The server lets go of the run once it has seen its tree gone (a moment after /proc shows it).
    for (let i = 0; i < 50 && sites.server.runs.count > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(sites.server.runs.count).toBe(0);
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction(() => window.Reveal.getCurrentSlide().id === 'chat-demo');
    await page.waitForFunction((t) => document.querySelector<HTMLElement>(t)?.dataset.state === 'exited', term, { timeout: 10_000 });
    const text = await page.$eval(term, (el) => (el as HTMLElement).liveTerminal!.text());
    expect(text).toMatch(/Chat room on/);
    expect(text).toMatch(/stopped when you left the slide/);
    expect(await page.$eval(`${term} button[data-action="run"]`, (b) => (b as HTMLButtonElement).disabled)).toBe(false);
    await page.close();
  });
});
