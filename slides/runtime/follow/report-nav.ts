// The presenter's deck, with an audience on, tells the demo server where it is: the slide (by
// id and indices) and the fragment, on every move. The server passes it on to the audience.
import type Reveal from 'reveal.js';

type Api = typeof Reveal;
import type { NavState } from '../../../shared/wire.js';
import { pageSocket } from '../sources/demo-socket.js';

export function navOf(deck: Api): NavState {
  const { h, v, f } = deck.getIndices();
  return { slide: deck.getCurrentSlide()?.id ?? '', h, v: v ?? 0, f: f ?? -1 };
}

export function reportNav(deck: Api): void {
  const socket = pageSocket();
  socket.stayOpen();
  const send = () => socket.send({ type: 'nav', ...navOf(deck) });
  for (const ev of ['slidechanged', 'fragmentshown', 'fragmenthidden']) deck.on(ev, send);
  // After a reconnect (a restarted server) the audience hears where the presenter is again.
  socket.onOpen(send);
  send();
}
