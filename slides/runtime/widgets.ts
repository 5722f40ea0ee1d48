// The deck's lazily loaded half: terminals and meters, mounted when their slide is shown.
// Kept out of the first load so the title slide appears at once.
import { mountTerminal, refitAll, cycleZoom } from './terminal/mount.js';
import { mountMeters } from './meters/mount-meters.js';

export { refitAll, cycleZoom };

export async function mountSlideWidgets(slide: Element): Promise<void> {
  await Promise.all([...slide.querySelectorAll<HTMLElement>('.live-terminal:not(.lt-mounted)')].map(mountTerminal));
  // Meters follow terminals, so they mount after them.
  for (const el of slide.querySelectorAll<HTMLElement>('.live-meters:not(.lm-mounted)')) mountMeters(el);
}
