// Turns a `<div class="live-terminal" data-demo=… data-variant=…>` into a terminal widget,
// and provides its source to the page's registry under the element's id, for the meters and
// anything else that follows the same run. Loaded only when a slide with a terminal comes
// near, so xterm.js is not in the first load.
import { attributesOf, readTerminal } from '../../../shared/slide-markup.js';
import { LiveSource } from '../sources/live-source.js';
import { ReplaySource, SnapshotSource, prefetchRecording } from '../sources/replay-source.js';
import type { PageMode } from '../sources/page-mode.js';
import type { DemoRequest, DemoSource } from '../sources/demo-source.js';
import type { SourceRegistry } from '../sources/source-registry.js';
import { TERMINAL_FONT, TerminalWidget } from './terminal-widget.js';
import { TerminalWatch } from '../follow/terminal-watch.js';
import { pageSocket } from '../sources/demo-socket.js';

/** The deck's own folder: recordings live beside index.html, wherever the site is hosted. */
function siteBase(): string {
  return new URL('./', document.baseURI).href;
}

import { allRecordings } from '../sources/recordings-switch.js';
import { showLinkStatus } from '../sources/link-status.js';

/** `terminal`: the slide's terminal id: where a reloaded page finds its run again, and what the server tells watchers of that terminal about. */
export function sourceFor(mode: PageMode, request: DemoRequest, terminal?: string): DemoSource {
  if (mode === 'live') return new LiveSource(request, pageSocket(), terminal);
  return mode === 'snapshot' || mode === 'mirror' ? new SnapshotSource(request, siteBase()) : new ReplaySource(request, siteBase());
}

/** Fetches the recording of every well-formed terminal under `root` ahead of need. */
export function prefetchRecordings(root: ParentNode): void {
  for (const el of root.querySelectorAll<HTMLElement>('.live-terminal')) {
    const { markup, problems } = readTerminal(attributesOf(el));
    if (!problems.length) prefetchRecording({ demo: markup.demo, variant: markup.variant, params: markup.params }, siteBase());
  }
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
  if (mode === 'live') {
    showLinkStatus(pageSocket());
    // At hand for a fail-over, even once the server (which serves it) is gone.
    if (!problems.length) prefetchRecording({ demo, variant, params }, siteBase());
  }
  const request = { demo, variant, params };
  const live = () => sourceFor('live', request, key);
  const recording = () => sourceFor('replay', request);
  // On a live page the deck-wide switch (D) may have turned every terminal to its recording.
  if (!problems.length) registry.provide(key, mode === 'live' && allRecordings() ? recording() : sourceFor(mode, request, key));
  // Following the presenter: the presenter's run in this terminal replaces the recording while it is on.
  const follows = (mode === 'audience' || mode === 'mirror') && el.id && !problems.length;
  const watch = follows ? new TerminalWatch(key, request, registry, followSocket()) : undefined;
  const widget = new TerminalWidget(el, key, registry, {
    title: markup.title ?? `${demo}${variant ? ` · ${variant}` : ''}`,
    fontSize: markup.fontSize ?? TERMINAL_FONT,
    still: mode === 'snapshot',
    showAtOnce: mode === 'mirror',
    controls: mode !== 'mirror',
    minRows: markup.minRows,
    keepRunning: el.closest('[data-keep-running]') !== null,
    problem: problems.length ? `This terminal's markup needs fixing: ${problems.join('; ')}` : undefined,
    ...(mode === 'live' ? { live, recording } : {}),
    onDestroy: () => watch?.dispose(),
  });
  el.liveTerminal = widget;
  if (markup.autostart && mode !== 'snapshot' && mode !== 'mirror') widget.run(); // a recording plays once loaded
  return widget;
}
