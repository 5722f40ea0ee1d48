// The one life cycle of everything the runtime mounts on a slide (terminals, meters, chat
// clients, figures from runs), as reveal.js drives its own controllers: created when its
// slide comes, laid out for the deck's scale and the presenter's zoom, told when its slide is
// shown and hidden, and destroyed when it is no longer needed. widget-controller.ts calls it.

/** How the deck is drawn now: reveal.js's scale of the 1280×720 slide, and the terminals' zoom (Z). */
export interface DeckView {
  scale: number;
  zoom: number;
}

export interface SlideWidget {
  /** The deck rescaled or the zoom changed. */
  layout(view: DeckView): void;
  /** Its slide became the one on screen. */
  shown(): void;
  /** Its slide is no longer on screen: give back what only a visible widget needs (a WebGL context). */
  hidden(): void;
  /** Something runs in it that destroying it would end: it is kept while its slide is away. */
  readonly busy: boolean;
  /** Stops everything it started and gives its element back as the slide wrote it. */
  destroy(): void;
}
