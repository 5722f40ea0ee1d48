// Decides once per page how demos run: live against the demo server, replayed from
// recordings (the static site), or as final snapshots (print, speaker-view previews).
import { AUDIENCE_META, SERVER_META } from '../../../shared/wire.js';

/**
 * audience: a page of the audience's listener (recordings, and the presenter's runs watched
 * read-only); mirror: the speaker view's current-slide pane (the presenter's runs watched,
 * the recordings' final screens otherwise).
 */
export type PageMode = 'live' | 'replay' | 'snapshot' | 'audience' | 'mirror';

function decide(): Promise<PageMode> {
  // Synchronous today; a promise so a future check may ask the network.
  const q = new URLSearchParams(location.search);
  // reveal.js's print view and the speaker view's previews must never start processes.
  const served = document.querySelector(`meta[name="${SERVER_META}"]`) !== null;
  if (q.has('print-pdf')) return Promise.resolve('snapshot');
  if (served && document.querySelector(`meta[name="${AUDIENCE_META}"]`)?.getAttribute('content') === 'audience') return Promise.resolve('audience');
  // The speaker view's current slide (the one that posts its events) mirrors the presenter's runs.
  if (q.has('receiver')) return Promise.resolve(served && q.get('postMessageEvents') === 'true' ? 'mirror' : 'snapshot');
  const forced = q.get('demos');
  if (forced === 'replay' || forced === 'live' || forced === 'snapshot') return Promise.resolve(forced);
  return Promise.resolve(served ? 'live' : 'replay');
}

let mode: Promise<PageMode> | undefined;
export function pageMode(): Promise<PageMode> {
  return (mode ??= decide());
}
