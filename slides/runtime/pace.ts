// The talk's pace. Every slide says how long it takes in the 30-minute talk
// (<section data-timing="40">, seconds); a slide marked data-slot="long" exists only for a
// longer slot. ?minutes=N sets the slot: the long slides come in when they fit, and every
// slide's time is scaled so the times add up to the slot. reveal.js's speaker view (S) then
// shows, per slide, the time left and whether the speaker is ahead or behind.
// Presented live (a demo server behind the deck) the talk defaults to its 30 minutes; read
// online, to the whole deck.

export const BASE_MINUTES = 30;

export interface Pace {
  /** The slot, in minutes. */
  minutes: number;
  /** Whether the long slides are in. */
  long: boolean;
  /** Seconds of the visible slides, scaled: they add up to minutes × 60. */
  totalSeconds: number;
}

function slidesOf(root: ParentNode): HTMLElement[] {
  // The leaves: a chapter's vertical stack is not a slide itself.
  return [...root.querySelectorAll<HTMLElement>('.slides section')].filter((s) => !s.querySelector('section'));
}

/** Seconds of the short talk (every slide but the long ones) and of the long slides alone. */
export function baseSeconds(root: ParentNode = document): { short: number; long: number } {
  let short = 0;
  let long = 0;
  for (const s of slidesOf(root)) {
    const t = Number(s.dataset.baseTiming ?? s.dataset.timing ?? 0);
    if (s.dataset.slot === 'long') long += t;
    else short += t;
  }
  return { short, long };
}

/**
 * Applies a slot before reveal.js starts: hides the long slides when they do not fit
 * (reveal.js drops data-visibility="hidden" slides) and scales every slide's data-timing.
 */
export function applyPace(search = location.search, live = true, root: ParentNode = document): Pace {
  const asked = Number(new URLSearchParams(search).get('minutes'));
  const base = baseSeconds(root);
  const full = (base.short + base.long) / 60;
  const minutes = Number.isFinite(asked) && asked >= 5 && asked <= 180 ? asked : live ? BASE_MINUTES : full;
  const long = minutes * 60 >= base.short + base.long;
  const planned = base.short + (long ? base.long : 0);
  const scale = (minutes * 60) / planned;
  let total = 0;
  for (const s of slidesOf(root)) {
    s.dataset.baseTiming ??= s.dataset.timing ?? '0';
    const hidden = s.dataset.slot === 'long' && !long;
    if (hidden) s.dataset.visibility = 'hidden';
    else if (s.dataset.visibility === 'hidden' && s.dataset.slot === 'long') delete s.dataset.visibility;
    const t = hidden ? 0 : Math.max(5, Math.round(Number(s.dataset.baseTiming) * scale));
    s.dataset.timing = String(t);
    total += t;
  }
  document.documentElement.dataset.slotMinutes = String(minutes);
  return { minutes, long, totalSeconds: total };
}
