// reveal.js centres each slide (`center: true`) by reading every visible slide's scrollHeight on
// each layout. In its scroll view (phones, narrow windows) every slide is visible, so each layout
// (at start, on load, on each resize) lays out all the deck's slides at once: most of a phone's
// blocking time on the first visit. And there the `top` it computes is not used: the scroll view's
// CSS puts each slide at `top: 50% !important`, translated by half its size. So while the scroll
// view is on the deck turns centring off, and keeps its look: the slide's height stays `auto`, as
// reveal.js sets it when centring (assets/theme/deck.css).
import type { RevealApi } from 'reveal.js';

/** Where reveal.js switches to the scroll view (its default, set explicitly in the config). */
export const SCROLL_ACTIVATION_WIDTH = 435;

/** Whether slides are centred at start: not when reveal.js will start in its scroll view. */
export function centredAtStart(width: number, margin: number): boolean {
  // reveal.js compares the presentation's width less its margin.
  return width - width * margin > SCROLL_ACTIVATION_WIDTH;
}

/** After each layout: centring on in the slide view, off in the scroll view. */
export function followScrollView(deck: RevealApi): void {
  const sync = () => {
    const want = !(deck as unknown as { isScrollView(): boolean }).isScrollView();
    if (deck.getConfig().center !== want) deck.configure({ center: want });
  };
  sync();
  deck.on('resize', sync);
  window.addEventListener('resize', sync);
}
