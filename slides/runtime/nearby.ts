// The slides around the current one, in the order a presenter meets them (reveal.js's
// linear order, vertical stacks included): what the deck should fetch before it is shown.
import type { RevealApi } from 'reveal.js';

/** The current slide first, then those up to `ahead` after it and `behind` before it. */
export function nearbySlides(deck: RevealApi, { behind, ahead }: { behind: number; ahead: number }): HTMLElement[] {
  const slides = deck.getSlides();
  const i = slides.indexOf(deck.getCurrentSlide());
  if (i < 0) return [];
  const near = [slides[i]!];
  for (let d = 1; d <= Math.max(ahead, behind); d++) {
    if (d <= ahead && slides[i + d]) near.push(slides[i + d]!);
    if (d <= behind && slides[i - d]) near.push(slides[i - d]!);
  }
  return near;
}
