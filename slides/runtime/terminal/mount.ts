// Turns a `<div class="live-terminal" data-demo=… data-variant=…>` into a running widget.
// Loaded only when a slide with a terminal is shown, so xterm.js is not in the first load.
import { LiveSource } from '../sources/live-source.js';
import { ReplaySource } from '../sources/replay-source.js';
import { pageMode } from '../sources/page-mode.js';
import type { DemoRequest, DemoSource } from '../sources/source.js';
import { TerminalWidget } from './terminal-widget.js';

const widgets = new WeakMap<HTMLElement, TerminalWidget>();

declare global {
  interface HTMLElement {
    /** The mounted widget of a `.live-terminal` element, for anyone scripting the deck. */
    liveTerminal?: TerminalWidget;
  }
}

function parseParams(el: HTMLElement): Record<string, number | boolean | string> | undefined {
  if (!el.dataset.params) return undefined;
  try {
    return JSON.parse(el.dataset.params) as Record<string, number | boolean | string>;
  } catch {
    console.warn(`live-terminal: data-params is not JSON: ${el.dataset.params}`);
    return undefined;
  }
}

const pending = new WeakMap<HTMLElement, Promise<TerminalWidget>>();

/** The deck's own folder: recordings live beside index.html, wherever the site is hosted. */
function siteBase(): string {
  return new URL('./', document.baseURI).href;
}

function sourceFor(mode: Awaited<ReturnType<typeof pageMode>>, request: DemoRequest): DemoSource {
  return mode === 'live' ? new LiveSource(request) : new ReplaySource(request, siteBase());
}

export function mountTerminal(el: HTMLElement): Promise<TerminalWidget> {
  let p = pending.get(el);
  if (!p) pending.set(el, (p = create(el)));
  return p;
}

async function create(el: HTMLElement): Promise<TerminalWidget> {
  const mode = await pageMode();
  const demo = el.dataset.demo ?? '';
  const variant = el.dataset.variant;
  el.dataset.mode = mode;
  const source = sourceFor(mode, { demo, variant, params: parseParams(el) });
  const widget = new TerminalWidget(el, source, {
    title: el.dataset.title ?? `${demo}${variant ? ` · ${variant}` : ''}`,
    fontSize: Number(el.dataset.fontSize ?? 16),
    snapshot: mode === 'snapshot',
  });
  widgets.set(el, widget);
  el.liveTerminal = widget;
  widget.applyScale(deckScale(), zoom);
  if (el.dataset.autostart !== undefined && mode !== 'snapshot') widget.run();
  return widget;
}

/** The presenter's terminal zoom (a key cycles it), on top of the deck's own scale. */
export const ZOOMS = [1, 1.3, 1.6];
let zoom = 1;

function deckScale(): number {
  return window.Reveal?.isReady() ? window.Reveal.getScale() : 1;
}

/** Rescales and refits every mounted terminal, e.g. after the deck rescales. */
export function refitAll(root: ParentNode): void {
  for (const el of root.querySelectorAll<HTMLElement>('.live-terminal.lt-mounted')) widgets.get(el)?.applyScale(deckScale(), zoom);
}

/** Cycles the terminals' zoom: bigger text for the back of the room, fewer columns. */
export function cycleZoom(root: ParentNode): number {
  zoom = ZOOMS[(ZOOMS.indexOf(zoom) + 1) % ZOOMS.length]!;
  refitAll(root);
  return zoom;
}
