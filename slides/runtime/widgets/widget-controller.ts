// Drives the life cycle of every widget on the deck's slides (slide-widget.ts), as reveal.js
// drives its controllers: main.ts tells it which slide is shown, when the deck rescales and
// when the zoom changes. A slide's widgets are created when it is first shown (terminals
// first: they provide the sources the others follow), told when it is shown and hidden, and
// destroyed once their slide is more than KEEP_NEAR slides away with nothing running in them,
// so a walk through the whole deck holds only the widgets near the presenter.
import type { PageMode } from '../sources/page-mode.js';
import type { SourceRegistry } from '../sources/source-registry.js';
import { mountTerminal } from '../terminal/mount-terminal.js';
import { mountMeters } from '../meters/mount-meters.js';
import { mountRunFigure } from '../run-figures.js';
import type { DeckView, SlideWidget } from './slide-widget.js';
import { WIDGET_SELECTORS as S } from './widget-markup.js';

/** Slides either side of the current one whose widgets are kept (going back shows the run just made). */
export const KEEP_NEAR = 2;

/** What the controller needs of reveal.js. */
export interface Deck {
  getSlides(): HTMLElement[];
  getScale(): number;
}

/** The markup of each kind of widget, in the order a slide's are created. */
const KINDS = [
  { selector: S.terminal, mount: (el: HTMLElement, c: WidgetController) => mountTerminal(el, c.mode, c.registry) },
  { selector: S.meters, mount: (el: HTMLElement, c: WidgetController) => mountMeters(el, c.registry) },
  { selector: S.figure, mount: (el: HTMLElement, c: WidgetController) => mountRunFigure(el, c.registry) },
  {
    selector: S.chat,
    // The chat client is its own chunk: only one slide has it.
    mount: async (el: HTMLElement, c: WidgetController) => (await import('../chat/chat-client.js')).mountChatClient(el, c.registry),
  },
] as const;

interface Mounted {
  el: HTMLElement;
  widget: SlideWidget | undefined;
}

export class WidgetController {
  private readonly bySlide = new Map<Element, Mounted[]>();
  private readonly mountedEls = new WeakSet<HTMLElement>();
  private current: Element | undefined;
  private zoom = 1;

  constructor(
    private readonly deck: Deck,
    readonly mode: PageMode,
    readonly registry: SourceRegistry,
  ) {}

  get view(): DeckView {
    const scale = this.deck.getScale();
    return { scale: scale > 0 && Number.isFinite(scale) ? scale : 1, zoom: this.zoom };
  }

  /**
   * `slide` is the one on screen now: its widgets are created (those not yet), laid out and
   * shown; every other slide's are hidden, and those far away destroyed. Resolves to whether
   * something was created (the slide's height may have changed).
   */
  async show(slide: Element | undefined): Promise<boolean> {
    const previous = this.current;
    this.current = slide;
    if (previous && previous !== slide) for (const m of this.bySlide.get(previous) ?? []) m.widget?.hidden();
    this.destroyFarFrom(slide);
    if (!slide) return false;
    const created = await this.mountIn(slide);
    if (this.current !== slide) {
      // The presenter moved on while they were created.
      for (const m of created) m.widget?.hidden();
      return created.length > 0;
    }
    for (const m of this.bySlide.get(slide) ?? []) m.widget?.shown();
    return created.length > 0;
  }

  /** Every slide's widgets, all shown, none ever destroyed: the print view lays out the whole deck at once. */
  async showAll(root: ParentNode): Promise<void> {
    for (const slide of root.querySelectorAll('section')) {
      if (slide.querySelector('section')) continue; // a vertical stack is not a slide
      for (const m of await this.mountIn(slide)) m.widget?.shown();
    }
  }

  /** The deck rescaled (a resize, the print view) or the zoom changed: every widget lays itself out again. */
  layout(): void {
    const view = this.view;
    for (const list of this.bySlide.values()) for (const m of list) m.widget?.layout(view);
  }

  /** Z: the terminals' zoom cycles 100 % → 130 % → 160 %. */
  cycleZoom(): number {
    this.zoom = ZOOMS[(ZOOMS.indexOf(this.zoom) + 1) % ZOOMS.length]!;
    this.layout();
    return this.zoom;
  }

  /** R: each terminal on the current slide that offers its recording (its live demo could not run) plays it; returns how many. */
  playRecordingsHere(): number {
    let n = 0;
    for (const m of this.bySlide.get(this.current!) ?? []) {
      const w = m.widget as Partial<{ offersRecording: boolean; useRecording(play: boolean): void }> | undefined;
      if (w?.offersRecording && w.useRecording) {
        w.useRecording(true);
        n++;
      }
    }
    return n;
  }

  /** Creates the widgets of a slide not created yet, in KINDS order; resolves to those it created. */
  private async mountIn(slide: Element): Promise<Mounted[]> {
    const list = this.bySlide.get(slide) ?? [];
    this.bySlide.set(slide, list);
    const created: Mounted[] = [];
    for (const kind of KINDS) {
      for (const el of slide.querySelectorAll<HTMLElement>(kind.selector)) {
        if (this.mountedEls.has(el)) continue;
        this.mountedEls.add(el);
        const m: Mounted = { el, widget: undefined };
        list.push(m);
        created.push(m);
        m.widget = await kind.mount(el, this);
        m.widget?.layout(this.view);
      }
    }
    return created;
  }

  private destroyFarFrom(slide: Element | undefined): void {
    const slides = this.deck.getSlides();
    const here = slide ? slides.indexOf(slide as HTMLElement) : -1;
    for (const [s, list] of this.bySlide) {
      if (s === slide) continue;
      const at = slides.indexOf(s as HTMLElement);
      // A slide reveal.js no longer lists (hidden by the slot) is far away too.
      if (here >= 0 && at >= 0 && Math.abs(at - here) <= KEEP_NEAR) continue;
      if (list.some((m) => m.widget?.busy)) continue;
      // The followers first, the terminals (and their sources) last.
      for (const m of [...list].reverse()) {
        m.widget?.destroy();
        this.mountedEls.delete(m.el);
      }
      this.bySlide.delete(s);
    }
  }
}

/** The presenter's terminal zoom steps, on top of the deck's own scale. */
export const ZOOMS = [1, 1.3, 1.6];
