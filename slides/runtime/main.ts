// Boots the deck: reveal.js with its plugins, and live terminals mounted lazily when
// their slide is first shown.
import Reveal from 'reveal.js';
import Notes from 'reveal.js/plugin/notes';
import 'reveal.js/reset.css';
import 'reveal.js/reveal.css';
import 'reveal.js/theme/black.css';
import 'reveal.js/plugin/highlight/monokai.css';
import '../../assets/theme/deck.css';
import '../../assets/theme/talk.css';
import '../../assets/theme/sources.css';
import '../../assets/theme/slide-layouts.css';
import '../../assets/theme/pictures.css';
import { fillMeasuredFigures } from './measured-figures.js';
import { mountPictures } from './pictures.js';
import { applyPace } from './pace.js';
import { SERVER_META } from '../../server/protocol/protocol.js';

declare global {
  interface Window {
    Reveal: typeof Reveal;
  }
}

// As reveal.js's own script build does: tests and anyone scripting the deck use it.
window.Reveal = Reveal;

// ?theme=light starts in the light theme (T toggles it during the talk).
if (new URLSearchParams(location.search).get('theme') === 'light') document.documentElement.classList.add('theme-light');

type WidgetsModule = typeof import('./widgets.js');
let widgets: Promise<WidgetsModule> | undefined;

async function mountWidgetsIn(slide: Element | undefined): Promise<void> {
  if (!slide?.querySelector('.live-terminal:not(.lt-mounted), .live-meters:not(.lm-mounted), .ws-chat-client:not(.wc-mounted)')) return;
  await (await (widgets ??= import('./widgets.js'))).mountSlideWidgets(slide);
  // Widgets change the slide's height: let reveal.js center it again.
  Reveal.layout();
}

// The slot (?minutes=N; 30 when presenting): which slides, and each one's time for the speaker view.
const pace = applyPace(location.search, document.querySelector(`meta[name="${SERVER_META}"]`) !== null);

void Reveal.initialize({
  hash: true,
  totalTime: pace.totalSeconds,
  width: 1280,
  height: 720,
  margin: 0.04,
  controls: true,
  progress: true,
  slideNumber: 'c/t',
  transition: 'slide',
  // A printed handout: one page per slide, fragments shown together.
  pdfSeparateFragments: false,
  plugins: [Notes],
}).then(async () => {
  addKeys();
  fillMeasuredFigures();
  // The print view lays out every slide at once: each shows its demo's final snapshot,
  // mounted once reveal.js has built the printed pages (it moves the slides into them).
  const printing = new URLSearchParams(location.search).has('print-pdf');
  if (printing) await printLayoutDone();
  if (printing) mountPictures(document.querySelector('.reveal .slides'));
  else picturesNear();
  await mountWidgetsIn(printing ? document.querySelector('.reveal .slides') ?? undefined : Reveal.getCurrentSlide());
  // highlight.js is most of a megabyte: the deck starts without it, and code is highlighted
  // (its line-by-line steps made into fragments, which sync() registers) a moment later.
  const { default: Highlight } = await import('reveal.js/plugin/highlight');
  Reveal.registerPlugin(Highlight());
  if (!printing) Reveal.sync(); // the print view's pages are laid out once; syncing would lay them out again
});

function printLayoutDone(): Promise<void> {
  if (document.querySelector('.reveal .pdf-page')) return Promise.resolve();
  return new Promise((resolve) => Reveal.on('pdf-ready', () => resolve()));
}

function addKeys(): void {
  // Z: bigger terminal text for the back of the room (cycles 100 % → 130 % → 160 %).
  Reveal.addKeyBinding({ keyCode: 90, key: 'Z', description: 'Zoom the terminals' }, () => {
    void (widgets ??= import('./widgets.js')).then((m) => m.cycleZoom(document));
  });
  // T: the light theme, for bright rooms and washed-out projectors; T again for dark.
  Reveal.addKeyBinding({ keyCode: 84, key: 'T', description: 'Light / dark theme' }, () => {
    document.documentElement.classList.toggle('theme-light');
  });
}

/** The drawings of the current slide, then of its neighbours, so they are there when shown. */
function picturesNear(): void {
  const slides = Reveal.getSlides();
  const i = slides.indexOf(Reveal.getCurrentSlide());
  mountPictures(slides[i]);
  setTimeout(() => mountPictures(slides[i - 1], slides[i + 1]), 300);
}

Reveal.on('slidechanged', (ev) => {
  picturesNear();
  void mountWidgetsIn((ev as unknown as { currentSlide: Element }).currentSlide);
});
Reveal.on('overviewshown', () => mountPictures(document.querySelector('.reveal .slides')));
Reveal.on('resize', () => void widgets?.then((m) => m.refitAll(document)));

