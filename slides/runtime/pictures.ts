// The talk's illustrations: <figure class="picture" data-picture="subs"> gets the drawing
// assets/pictures/subs.svg inlined, so it takes the theme's colours (pictures.css) and its
// <title> as its accessible name. Each drawing is its own small chunk, fetched when its slide
// or a neighbour is shown: none is in the first load.
const drawings = import.meta.glob<string>('../../assets/pictures/*.svg', { query: '?raw', import: 'default' });

async function mount(fig: HTMLElement): Promise<void> {
  fig.classList.add('pic-mounted');
  const load = drawings[`../../assets/pictures/${fig.dataset.picture ?? ''}.svg`];
  if (!load) {
    console.warn(`picture: no drawing named "${fig.dataset.picture ?? ''}" in assets/pictures/`);
    return;
  }
  fig.innerHTML = await load();
  const svg = fig.querySelector('svg');
  const title = svg?.querySelector('title')?.textContent ?? '';
  svg?.setAttribute('aria-hidden', 'true');
  fig.setAttribute('role', 'img');
  fig.setAttribute('aria-label', fig.dataset.alt ?? title);
}

/** Inlines the drawings inside `root` (a slide, its neighbours, or the whole printed deck). */
export function mountPictures(...roots: (Element | null | undefined)[]): void {
  for (const root of roots) {
    for (const fig of root?.querySelectorAll<HTMLElement>('.picture[data-picture]:not(.pic-mounted)') ?? []) void mount(fig);
  }
}
