// An audience page follows the presenter's slide and fragment as the server reports them. A
// viewer may browse away (scroll, swipe, a key): the page then stays where the viewer is, and
// a button brings it back to the presenter in one tap (coming back to the presenter's slide by
// hand rejoins too). When the server turns the page away (the room is full), it says so.
import type Reveal from 'reveal.js';

type Api = typeof Reveal;
import type { NavState } from '../../../shared/wire.js';
import { pageSocket } from '../sources/demo-socket.js';
import { navOf } from './report-nav.js';

/** Moves the deck makes within this long of one we asked for are ours, not the viewer's. */
const OWN_MOVE_MS = 800;

export class PresenterFollower {
  private latest: NavState | undefined;
  private following = true;
  private appliedAt = 0;
  readonly button: HTMLButtonElement;
  private readonly notice: HTMLElement;

  constructor(private readonly deck: Api) {
    this.button = document.createElement('button');
    this.button.type = 'button';
    this.button.className = 'follow-presenter';
    this.button.hidden = true;
    this.button.addEventListener('click', (ev) => {
      ev.stopPropagation();
      this.rejoin();
    });
    this.notice = document.createElement('div');
    this.notice.className = 'audience-notice';
    this.notice.setAttribute('role', 'status');
    this.notice.hidden = true;
    document.body.append(this.button, this.notice);
    document.documentElement.dataset.following = 'true';

    const socket = pageSocket();
    socket.onNav((nav) => {
      this.latest = nav;
      this.notice.hidden = true;
      if (this.following) this.go(nav);
      else this.showButton();
    });
    socket.onClose((reason, code) => {
      if (code === 1013 && reason) this.say(`${reason.charAt(0).toUpperCase()}${reason.slice(1)}.`);
    });
    socket.onOpen(() => (this.notice.hidden = true));
    socket.stayOpen();
    for (const ev of ['slidechanged', 'fragmentshown', 'fragmenthidden']) deck.on(ev, () => this.moved());
  }

  get isFollowing(): boolean {
    return this.following;
  }

  /** Back to where the presenter is, and following again. */
  rejoin(): void {
    this.following = true;
    document.documentElement.dataset.following = 'true';
    this.button.hidden = true;
    if (this.latest) this.go(this.latest);
  }

  private go(nav: NavState): void {
    const el = nav.slide ? document.getElementById(nav.slide) : null;
    const at = el ? this.deck.getIndices(el) : { h: nav.h, v: nav.v };
    const here = navOf(this.deck);
    const f = nav.f >= 0 ? nav.f : undefined;
    if (here.h === at.h && here.v === (at.v ?? 0) && here.f === nav.f) return;
    this.appliedAt = performance.now();
    this.deck.slide(at.h, at.v ?? 0, f);
  }

  /** The deck moved: by us (following), or by the viewer (browsing away, or back). */
  private moved(): void {
    if (!this.latest) return;
    const here = navOf(this.deck);
    const there = this.latest;
    const atPresenter = (there.slide ? here.slide === there.slide : here.h === there.h && here.v === there.v) && (here.f === there.f || there.f < 0);
    if (this.following) {
      if (!atPresenter && performance.now() - this.appliedAt > OWN_MOVE_MS) {
        this.following = false;
        document.documentElement.dataset.following = 'false';
        this.showButton();
      }
    } else if (atPresenter) this.rejoin();
  }

  private showButton(): void {
    const slide = this.latest?.slide ? document.getElementById(this.latest.slide) : null;
    const title = slide?.querySelector('h1, h2')?.textContent?.trim();
    this.button.textContent = `● Follow the presenter${title ? ` — ${title.length > 40 ? `${title.slice(0, 39)}…` : title}` : ''}`;
    this.button.hidden = false;
  }

  private say(text: string): void {
    this.notice.textContent = text;
    this.notice.hidden = false;
  }
}
