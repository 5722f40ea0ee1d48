// Turns a `<div class="live-terminal" data-demo=… data-variant=…>` into a terminal widget,
// and provides its source to the page's registry under the element's id, for the meters and
// anything else that follows the same run. Loaded only when a slide with a terminal comes
// near, so xterm.js is not in the first load.
import { attributesOf, readTerminal } from '../../../shared/slide-markup.js';
import { LiveSource } from '../sources/live-source.js';
import { ReplaySource, SnapshotSource } from '../sources/replay-source.js';
import type { PageMode } from '../sources/page-mode.js';
import type { DemoRequest, DemoSource } from '../sources/demo-source.js';
import type { SourceRegistry } from '../sources/source-registry.js';
import { TERMINAL_FONT, TerminalWidget } from './terminal-widget.js';

/** The deck's own folder: recordings live beside index.html, wherever the site is hosted. */
function siteBase(): string {
  return new URL('./', document.baseURI).href;
}

export function sourceFor(mode: PageMode, request: DemoRequest): DemoSource {
  if (mode === 'live') return new LiveSource(request);
  return mode === 'snapshot' ? new SnapshotSource(request, siteBase()) : new ReplaySource(request, siteBase());
}

let unnamed = 0;

export function mountTerminal(el: HTMLElement, mode: PageMode, registry: SourceRegistry): TerminalWidget {
  const { markup, problems } = readTerminal(attributesOf(el));
  const { demo, variant, params } = markup;
  el.dataset.mode = mode;
  // A terminal without an id still has its own place in the registry (nothing else can follow it).
  const key = el.id || `live-terminal-${++unnamed}`;
  if (!problems.length) registry.provide(key, sourceFor(mode, { demo, variant, params }));
  const widget = new TerminalWidget(el, key, registry, {
    title: markup.title ?? `${demo}${variant ? ` · ${variant}` : ''}`,
    fontSize: markup.fontSize ?? TERMINAL_FONT,
    still: mode === 'snapshot',
    minRows: markup.minRows,
    keepRunning: el.closest('[data-keep-running]') !== null,
    problem: problems.length ? `This terminal's markup needs fixing: ${problems.join('; ')}` : undefined,
  });
  el.liveTerminal = widget;
  if (markup.autostart && mode !== 'snapshot') widget.run(); // a recording plays once loaded
  return widget;
}
