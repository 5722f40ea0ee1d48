// An audience page follows the presenter's slide and fragment as the server reports them. A
// viewer may browse away (scroll, swipe, a key): the page then stays where the viewer is, and
// a button brings it back to the presenter in one tap (coming back to the presenter's slide by
// hand rejoins too). When the server turns the page away (the room is full), it says so.
import type Reveal from 'reveal.js';

type Api = typeof Reveal;
import type { NavState } from '../../../shared/wire.js';
import { pageSocket } from '../sources/demo-socket.js';
import { navOf } from './report-nav.js';

/** Fragment moves on the presenter's slide this soon after one we asked for are ours, not the viewer's. */
const OWN_MOVE_MS = 800;
/** How long a move to another slide may take to land (the scroll view's pages grow as they load). */
const SETTLE_MS = 3000;

export class PresenterFollower {
  private latest: NavState | undefined;
  private following = true;
  private appliedAt = 0;
  /** A move to another slide we asked for and that has not landed yet. */
  private settling: { slide: string; until: number } | undefined;
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

  private go(nav: NavState, again = false): void {
    const el = nav.slide ? document.getElementById(nav.slide) : null;
    const at = el ? this.deck.getIndices(el) : { h: nav.h, v: nav.v };
    const here = navOf(this.deck);
    const v = at.v ?? 0;
    if (here.h === at.h && here.v === v && here.f === nav.f) return;
    this.appliedAt = performance.now();
    if (!(this.deck as unknown as { isScrollView(): boolean }).isScrollView()) {
      this.deck.slide(at.h, v, nav.f >= 0 ? nav.f : undefined);
      return;
    }
    // The scroll view shows a slide's fragments by how far it is scrolled: it ignores a
    // fragment index given with the slide, and its scroll event (after this frame) sets them
    // from the position. So the slide first, then its fragment once the scroll has been seen.
    if (here.h !== at.h || here.v !== v) {
      if (!again || !this.settling) this.settling = { slide: nav.slide, until: performance.now() + SETTLE_MS };
      // To the slide's page by its position: reveal.js's own scroll to a slide reckons every
      // page the same height, and lands a screen short once slides with steps come before it.
      const page = el?.closest<HTMLElement>('.scroll-page');
      const viewport = this.deck.getViewportElement();
      if (page && viewport) viewport.scrollTop = page.offsetTop;
      else this.deck.slide(at.h, v);
    }
    const fragment = () => {
      if (this.latest !== nav || !this.following) return;
      const now = navOf(this.deck);
      if (now.h === at.h && now.v === v && now.f !== nav.f) {
        this.appliedAt = performance.now();
        this.deck.navigateFragment(nav.f);
      }
    };
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(fragment, 50)));
  }

  /** The deck moved: by us (following), or by the viewer (browsing away, or back). */
  private moved(): void {
    if (!this.latest) return;
    const here = navOf(this.deck);
    const there = this.latest;
    const atPresenter = (there.slide ? here.slide === there.slide : here.h === there.h && here.v === there.v) && (here.f === there.f || there.f < 0);
    if (this.settling) {
      if (here.slide === this.settling.slide) this.settling = undefined;
      else if (performance.now() < this.settling.until) {
        // Landed short (pages above it grew as they loaded): again, once this scroll is done.
        const nav = there;
        requestAnimationFrame(() => {
          if (this.latest === nav && this.following && this.settling) this.go(nav, true);
        });
        return;
      } else this.settling = undefined;
    }
    if (this.following) {
      // Our own move may pass the target slide's other fragments on the way (the scroll view
      // sets them from the scroll position first); a move to another slide is the viewer's.
      const onTarget = there.slide ? here.slide === there.slide : here.h === there.h && here.v === there.v;
      if (!atPresenter && (!onTarget || performance.now() - this.appliedAt > OWN_MOVE_MS)) {
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
