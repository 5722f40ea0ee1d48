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
import { TerminalWidget } from './terminal-widget.js';
import { TerminalWatch } from '../follow/terminal-watch.js';
import { pageSocket } from '../sources/demo-socket.js';

/** The deck's own folder: recordings live beside index.html, wherever the site is hosted. */
function siteBase(): string {
  return new URL('./', document.baseURI).href;
}

/** `terminal`: the slide's terminal id, which the server tells watchers of that terminal about. */
export function sourceFor(mode: PageMode, request: DemoRequest, terminal?: string): DemoSource {
  if (mode === 'live') return new LiveSource(request, pageSocket(), terminal);
  return mode === 'snapshot' || mode === 'mirror' ? new SnapshotSource(request, siteBase()) : new ReplaySource(request, siteBase());
}

let unnamed = 0;

/** The page's demo socket, kept open: a page that follows the presenter has nothing to send to reopen it. */
function followSocket() {
  const socket = pageSocket();
  socket.stayOpen();
  return socket;
}

export function mountTerminal(el: HTMLElement, mode: PageMode, registry: SourceRegistry): TerminalWidget {
  const { markup, problems } = readTerminal(attributesOf(el));
  const { demo, variant, params } = markup;
  el.dataset.mode = mode;
  // A terminal without an id still has its own place in the registry (nothing else can follow it).
  const key = el.id || `live-terminal-${++unnamed}`;
  const request = { demo, variant, params };
  if (!problems.length) registry.provide(key, sourceFor(mode, request, el.id || undefined));
  // Following the presenter: the presenter's run in this terminal replaces the recording while it is on.
  const follows = (mode === 'audience' || mode === 'mirror') && el.id && !problems.length;
  const watch = follows ? new TerminalWatch(key, request, registry, followSocket()) : undefined;
  const widget = new TerminalWidget(el, key, registry, {
    title: markup.title ?? `${demo}${variant ? ` · ${variant}` : ''}`,
    fontSize: markup.fontSize ?? 16,
    still: mode === 'snapshot',
    showAtOnce: mode === 'mirror',
    controls: mode !== 'mirror',
    problem: problems.length ? `This terminal's markup needs fixing: ${problems.join('; ')}` : undefined,
    onDestroy: () => watch?.dispose(),
  });
  el.liveTerminal = widget;
  if (markup.autostart && mode !== 'snapshot' && mode !== 'mirror') widget.run(); // a recording plays once loaded
  return widget;
}
