// Decides once per page how demos run: live against the demo server, replayed from
// recordings (the static site), or as final snapshots (print, speaker-view previews).
import { SERVER_META } from '../../../shared/wire.js';

export type PageMode = 'live' | 'replay' | 'snapshot';

function decide(): Promise<PageMode> {
  // Synchronous today; a promise so a future check may ask the network.
  const q = new URLSearchParams(location.search);
  // reveal.js's print view and the speaker view's previews must never start processes.
  if (q.has('print-pdf') || q.has('receiver')) return Promise.resolve('snapshot');
  const forced = q.get('demos');
  if (forced === 'replay' || forced === 'live' || forced === 'snapshot') return Promise.resolve(forced);
  return Promise.resolve(document.querySelector(`meta[name="${SERVER_META}"]`) ? 'live' : 'replay');
}

let mode: Promise<PageMode> | undefined;
export function pageMode(): Promise<PageMode> {
  return (mode ??= decide());
}
