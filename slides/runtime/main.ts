// Boots the deck: reveal.js with its plugins, and live terminals mounted lazily when
// their slide is first shown.
import Reveal from 'reveal.js';
import Notes from 'reveal.js/plugin/notes';
import Highlight from 'reveal.js/plugin/highlight';
import 'reveal.js/reset.css';
import 'reveal.js/reveal.css';
import 'reveal.js/theme/black.css';
import 'reveal.js/plugin/highlight/monokai.css';
import '../../assets/theme/deck.css';

declare global {
  interface Window {
    Reveal: typeof Reveal;
  }
}

// As reveal.js's own script build does: tests and anyone scripting the deck use it.
window.Reveal = Reveal;

type MountModule = typeof import('./terminal/mount.js');
let mountModule: Promise<MountModule> | undefined;

async function mountTerminalsIn(slide: Element | undefined): Promise<void> {
  const els = slide ? [...slide.querySelectorAll<HTMLElement>('.live-terminal:not(.lt-mounted)')] : [];
  if (els.length === 0) return;
  const mod = await (mountModule ??= import('./terminal/mount.js'));
  for (const el of els) mod.mountTerminal(el);
}

void Reveal.initialize({
  hash: true,
  width: 1280,
  height: 720,
  margin: 0.04,
  controls: true,
  progress: true,
  slideNumber: 'c/t',
  transition: 'slide',
  plugins: [Notes, Highlight],
}).then(() => mountTerminalsIn(Reveal.getCurrentSlide()));

Reveal.on('slidechanged', (ev) => void mountTerminalsIn((ev as unknown as { currentSlide: Element }).currentSlide));
Reveal.on('resize', () => void mountModule?.then((m) => m.refitAll(document)));
