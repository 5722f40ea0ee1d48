// A deck opened as a person reads it, for tests that look at every slide: no transitions,
// every step of a slide shown at once, in its final state (not halfway through a fade).
import type { Page } from 'playwright-core';

/** Opens the deck in `page` at `url`, with transitions and fades off. */
export async function openDeckIn(page: Page, url: string): Promise<Page> {
  await page.goto(url);
  await page.waitForFunction(() => window.Reveal?.isReady());
  await page.evaluate(() => window.Reveal.configure({ transition: 'none', backgroundTransition: 'none' }));
  // Fragments and line steps fade in: check what they look like once shown, not halfway.
  await page.addStyleTag({ content: '*, *::before, *::after { transition: none !important; animation: none !important; }' });
  return page;
}

/** Shows slide `index` with all its steps, once its widgets are mounted and its code
 *  highlighted (and a replay's bar is there); returns the slide's id. */
export async function showWholeSlide(page: Page, index: number): Promise<string> {
  const id = await page.evaluate((i) => {
    const slide = window.Reveal.getSlides()[i]!;
    const { h, v } = window.Reveal.getIndices(slide);
    window.Reveal.slide(h, v ?? 0);
    return slide.id;
  }, index);
  await page.waitForFunction(
    () => !window.Reveal.getCurrentSlide().querySelector('.live-terminal:not(.lt-mounted), .live-meters:not(.lm-mounted), pre code:not(.hljs)'),
    null,
    { timeout: 15_000 },
  );
  // A replay's bar (speed, seek, where it was recorded) comes once its recording has loaded.
  await page.waitForFunction(
    () =>
      [...window.Reveal.getCurrentSlide().querySelectorAll<HTMLElement>('.live-terminal[data-mode="replay"]')].every(
        (t) => t.querySelector('.lt-replay') || t.dataset.state === 'error',
      ),
    null,
    { timeout: 15_000 },
  );
  await page.evaluate(() => {
    for (const f of window.Reveal.getCurrentSlide().querySelectorAll('.fragment')) f.classList.add('visible');
  });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return id;
}

/** The indices of the slides that hold `selector` (every slide without one), in deck order. */
export function slidesWith(page: Page, selector?: string): Promise<number[]> {
  return page.evaluate(
    (sel) =>
      window.Reveal.getSlides()
        .map((s, i) => (!sel || s.querySelector(sel) ? i : -1))
        .filter((i) => i >= 0),
    selector,
  );
}

/** Every replay on the shown slide plays to its end (its last line on the last row); a live terminal stays as it is. */
export async function playReplaysToEnd(page: Page): Promise<void> {
  await page.evaluate(() => {
    for (const t of window.Reveal.getCurrentSlide().querySelectorAll<HTMLElement>('.live-terminal')) {
      const c = t.liveTerminal?.source?.controls;
      if (!c) continue;
      t.liveTerminal!.run();
      c.seek(c.duration);
    }
  });
}
