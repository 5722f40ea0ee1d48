// A small, calm note in a corner of the deck while the demo socket is down ("reconnecting…"),
// and while every demo plays its recording (the deck-wide switch): what a presenter needs to
// know at a glance, never an alarm. The state is on <html> too (data-demo-link), for scripts
// and tests.
import type { DemoSocket, LinkState } from './demo-socket.js';
import { allRecordings, onAllRecordings } from './recordings-switch.js';

let el: HTMLElement | undefined;
let link: LinkState = 'idle';

function render(): void {
  if (!el) {
    el = document.createElement('div');
    el.className = 'demo-link';
    el.setAttribute('role', 'status');
    el.setAttribute('aria-live', 'polite');
    document.body.append(el);
  }
  document.documentElement.dataset.demoLink = link;
  const notes: string[] = [];
  if (link === 'reconnecting') notes.push('demo server: reconnecting…');
  if (allRecordings()) notes.push('demos: recordings (D for live)');
  el.textContent = notes.join(' · ');
  el.hidden = notes.length === 0;
}

let watching = false;

/** Shows the state of `socket` (once per page). */
export function showLinkStatus(socket: DemoSocket): void {
  if (watching) return;
  watching = true;
  socket.onState((s) => {
    link = s;
    render();
  });
  onAllRecordings(render);
}
