// Where the presenter is, passed on to every audience page: the latest slide and fragment the
// presenter's deck reported, sent to each page as it connects and again on every change.
import type { NavState } from '../../shared/wire.js';

export interface NavListener {
  nav(text: string): void;
}

export class NavRelay {
  private latest: string | undefined;
  private readonly listeners = new Set<NavListener>();
  private state: NavState | undefined;

  get current(): NavState | undefined {
    return this.state;
  }

  /** The presenter moved: every audience page hears it (the message is built once). */
  moved(state: NavState): void {
    const { slide, h, v, f } = state;
    if (this.state && this.state.slide === slide && this.state.h === h && this.state.v === v && this.state.f === f) return;
    this.state = { slide, h, v, f };
    this.latest = JSON.stringify({ type: 'nav', slide, h, v, f });
    for (const l of this.listeners) l.nav(this.latest);
  }

  /** A page to tell; it hears where the presenter is now at once. */
  add(l: NavListener): () => void {
    this.listeners.add(l);
    if (this.latest) l.nav(this.latest);
    return () => this.listeners.delete(l);
  }
}
