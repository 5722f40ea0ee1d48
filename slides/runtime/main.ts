// Boots the deck: reveal.js with its plugins. The first load is only what the first slide
// needs (reveal.js, the styles, the HTML, two font faces); everything else comes when a
// slide that needs it is near: terminals and meters when their slide is shown (their code
// and the next slide's highlighting while the browser is idle a slide ahead), pictures of
// the slides either side, recorded figures a slide or two ahead.
import Reveal from 'reveal.js';
import Notes from 'reveal.js/plugin/notes';
import 'reveal.js/reset.css';
import 'reveal.js/reveal.css';
// Its inlined base64 WOFF fonts are dropped at build time; the deck's own subset WOFF2 faces replace them.
import 'reveal.js/theme/black.css';
import 'virtual:deck-fonts.css';
import 'reveal.js/plugin/highlight/monokai.css';
import '../../assets/theme/deck.css';
import '../../assets/theme/talk.css';
import '../../assets/theme/sources.css';
import '../../assets/theme/slide-layouts.css';
import '../../assets/theme/pictures.css';
import '../../assets/theme/audience.css';
import { fillMeasuredFigures, listenForMeasuredFigures } from './measured-figures.js';
import { nearbySlides } from './nearby.js';
import { mountPictures } from './pictures.js';
import { applyPace } from './pace.js';
import { centredAtStart, followScrollView, SCROLL_ACTIVATION_WIDTH } from './scroll-centring.js';
import { SERVER_META } from '../../shared/wire.js';
import { pageMode } from './sources/page-mode.js';
import { toggleAllRecordings } from './sources/recordings-switch.js';
import { WIDGET_MARKUP } from './widgets/widget-markup.js';
import { audienceRole } from './follow/audience-meta.js';

declare global {
  interface Window {
    Reveal: typeof Reveal;
  }
}

// As reveal.js's own script build does: tests and anyone scripting the deck use it.
window.Reveal = Reveal;

// How this page runs its demos (live | replay | snapshot), on <html data-demos>: a slide's
// wording follows it (.only-live, .only-replay in assets/theme/sources.css).
let demosLive = false;
const modeKnown = pageMode().then((mode) => {
  document.documentElement.dataset.demos = mode;
  demosLive = mode === 'live';
});

// ?theme=light starts in the light theme (T toggles it during the talk).
if (new URLSearchParams(location.search).get('theme') === 'light') document.documentElement.classList.add('theme-light');

type Widgets = Awaited<ReturnType<typeof import('./widgets.js').createWidgets>>;
let widgets: Promise<Widgets> | undefined;
const loadWidgets = () => (widgets ??= import('./widgets.js').then((m) => m.createWidgets(Reveal)));

/** The slide on screen changed: its widgets are created and shown, the others hidden (and destroyed when far). */
async function showWidgets(slide: Element | undefined): Promise<void> {
  if (!widgets && !slide?.querySelector(WIDGET_MARKUP)) return;
  // Widgets change the slide's height: let reveal.js center it again.
  if (await (await loadWidgets()).show(slide)) Reveal.layout();
}

type HighlightModule = typeof import('./code/highlight.js');
let highlighter: Promise<HighlightModule> | undefined;

/** Highlights the code on these slides, one slide per task; their line steps become fragments. */
async function highlightSlides(slides: Element[], sync: boolean): Promise<void> {
  const todo = slides.filter((s) => s.querySelector('pre code:not([data-highlighted])'));
  if (!todo.length) return;
  const { highlightCodeIn } = await (highlighter ??= import('./code/highlight.js'));
  for (const slide of todo) {
    // registers the step copies as the slide's fragments
    if (highlightCodeIn(slide) && sync) Reveal.syncSlide(slide as HTMLElement);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

const CODE = 'pre code';

/** Work for a slide not shown yet waits until the browser is idle, so it never delays the one that is. */
const whenIdle = (fn: () => void) => ('requestIdleCallback' in window ? requestIdleCallback(fn, { timeout: 2000 }) : setTimeout(fn, 200));

/** On each move: fetch what the slides around the current one need before they are shown. */
function loadWhatIsNear(): void {
  const [current, next] = nearbySlides(Reveal, { behind: 0, ahead: 1 });
  // Code on the slide shown now is highlighted at once, the next slide's when the browser is idle.
  if (current?.querySelector(CODE)) void highlightSlides([current], true);
  if (next?.querySelector(CODE)) whenIdle(() => void highlightSlides([next], true));
  // Recorded figures: a fetch each, for the slides a step either side.
  for (const s of nearbySlides(Reveal, { behind: 1, ahead: 2 })) void fillMeasuredFigures(s, demosLive);
  // The terminal code, a slide ahead of the first demo, so its slide opens at once.
  if (next?.querySelector(WIDGET_MARKUP)) whenIdle(() => void loadWidgets());
  // Drawings: the current slide's now, its neighbours' when the browser is idle.
  mountPictures(current);
  whenIdle(() => mountPictures(...nearbySlides(Reveal, { behind: 1, ahead: 1 })));
}

// With an audience on (`serve --audience`): the presenter's deck knows the audience URL, and an
// audience page knows it is one. The audience reads the whole deck (the presenter's slot may hold fewer slides: it follows by slide id).
const audience = audienceRole();
if (audience) document.documentElement.dataset.audience = audience.kind;

// The slot (?minutes=N; 30 when presenting): which slides, and each one's time for the speaker view.
const pace = applyPace(location.search, document.querySelector(`meta[name="${SERVER_META}"]`) !== null && audience?.kind !== 'audience');

const MARGIN = 0.04;
void Reveal.initialize({
  hash: true,
  totalTime: pace.totalSeconds,
  width: 1280,
  height: 720,
  margin: MARGIN,
  scrollActivationWidth: SCROLL_ACTIVATION_WIDTH,
  center: centredAtStart(document.querySelector<HTMLElement>('.reveal')?.offsetWidth ?? window.innerWidth, MARGIN),
  controls: true,
  progress: true,
  slideNumber: 'c/t',
  transition: 'slide',
  // A printed handout: one page per slide, fragments shown together.
  pdfSeparateFragments: false,
  // Phones (the scroll view): a demo slide's stacked terminals are taller than the screen, so
  // scrolling snaps only near a slide's start and stops anywhere in between (mandatory
  // snapping pulled a reader back past the middle terminal and its Play button).
  scrollSnap: 'proximity',
  plugins: [Notes],
}).then(async () => {
  followScrollView(Reveal);
  addKeys();
  listenForMeasuredFigures();
  await modeKnown;
  // The print view lays out every slide at once: everything loads now, and each demo shows
  // its final snapshot, mounted once reveal.js has built the printed pages (it moves the slides).
  if (new URLSearchParams(location.search).has('print-pdf')) {
    await fillMeasuredFigures(document, false);
    await printLayoutDone();
    mountPictures(document.querySelector('.reveal .slides'));
    const all = await loadWidgets();
    await all.showAll(document.querySelector('.reveal .slides') ?? document);
    Reveal.layout();
    await highlightSlides(Reveal.getSlides(), false); // the printed pages are laid out once: no syncing
    return;
  }
  void followOrLead();
  loadWhatIsNear();
  Reveal.on('slidechanged', (ev) => {
    loadWhatIsNear();
    void showWidgets((ev as unknown as { currentSlide: Element }).currentSlide);
  });
  // The overview shows every slide: their code highlighted and figures filled too.
  Reveal.on('overviewshown', () => {
    void fillMeasuredFigures(document, demosLive);
    mountPictures(document.querySelector('.reveal .slides'));
    void highlightSlides(Reveal.getSlides(), true);
  });
  await showWidgets(Reveal.getCurrentSlide());
});

/** With an audience on: the presenter's deck reports its moves and shows the audience URL; an audience page follows them. */
async function followOrLead(): Promise<void> {
  const receiver = new URLSearchParams(location.search).has('receiver');
  if (audience?.kind === 'presenter' && !receiver) {
    const [{ reportNav }, { showAudienceQr }] = await Promise.all([import('./follow/report-nav.js'), import('./follow/audience-qr.js')]);
    reportNav(Reveal);
    showAudienceQr(audience.url);
  } else if (audience?.kind === 'audience') {
    const [{ PresenterFollower }, { showAudienceQr }] = await Promise.all([import('./follow/follow-presenter.js'), import('./follow/audience-qr.js')]);
    (window as unknown as { presenterFollower: unknown }).presenterFollower = new PresenterFollower(Reveal);
    showAudienceQr(location.href.split('#')[0]!);
  }
}

function printLayoutDone(): Promise<void> {
  if (document.querySelector('.reveal .pdf-page')) return Promise.resolve();
  return new Promise((resolve) => Reveal.on('pdf-ready', () => resolve()));
}

function addKeys(): void {
  // Z: bigger terminal text for the back of the room (cycles 100 % → 130 % → 160 %).
  Reveal.addKeyBinding({ keyCode: 90, key: 'Z', description: 'Zoom the terminals' }, () => {
    void loadWidgets().then((w) => w.cycleZoom());
  });
  // R: a terminal here whose live demo could not run (no server, refused, crashed) plays its recording instead.
  Reveal.addKeyBinding({ keyCode: 82, key: 'R', description: 'Play the recording where a live demo failed' }, () => {
    void loadWidgets().then((w) => w.playRecordingsHere());
  });
  // D: every terminal plays its recording for the rest of the talk (live demos fail at this venue); D again: live.
  Reveal.addKeyBinding({ keyCode: 68, key: 'D', description: 'Demos: every terminal live ⇄ from its recording' }, () => {
    void pageMode().then((m) => {
      if (m === 'live') toggleAllRecordings();
    });
  });
  // T: the light theme, for bright rooms and washed-out projectors; T again for dark.
  Reveal.addKeyBinding({ keyCode: 84, key: 'T', description: 'Light / dark theme' }, () => {
    document.documentElement.classList.toggle('theme-light');
  });
}

/** The scroll view (phones, narrow windows) scrolls inside the viewport, which holds nothing
 *  focusable: let it take focus so the keyboard can scroll it. */
function keyboardScrollable(): void {
  const viewport = Reveal.getViewportElement();
  const scrolling = (Reveal as unknown as { isScrollView(): boolean }).isScrollView();
  if (!viewport) return;
  if (scrolling) viewport.tabIndex = 0;
  else viewport.removeAttribute('tabindex');
}

Reveal.on('ready', keyboardScrollable);
Reveal.on('resize', () => {
  keyboardScrollable();
  void widgets?.then((w) => w.layout());
});
