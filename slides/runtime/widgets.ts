// The deck's lazily loaded half: terminals and meters, mounted when their slide is shown.
// Kept out of the first load so the title slide appears at once.
import { mountTerminal, refitAll, cycleZoom } from './terminal/mount.js';
import { mountMeters } from './meters/mount-meters.js';

export { refitAll, cycleZoom };

/** Lets the browser paint and handle input between two pieces of mounting work. */
const yieldToBrowser = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export async function mountSlideWidgets(slide: Element): Promise<void> {
  // One terminal per task: each builds an xterm.js terminal and its renderer, and a slide
  // with two would otherwise hold the main thread for both at once.
  for (const el of slide.querySelectorAll<HTMLElement>('.live-terminal:not(.lt-mounted)')) {
    await mountTerminal(el);
    await yieldToBrowser();
  }
  // Meters follow terminals, so they mount after them.
  for (const el of slide.querySelectorAll<HTMLElement>('.live-meters:not(.lm-mounted)')) mountMeters(el);
}
