// The deck's lazily loaded half: terminals and meters, mounted when their slide is shown.
// Kept out of the first load so the title slide appears at once.
import { mountTerminal, refitAll, cycleZoom } from './terminal/mount.js';
import { mountMeters } from './meters/mount-meters.js';
import { mountRunFigures } from './run-figures.js';
import { pageMode } from './sources/page-mode.js';

export { refitAll, cycleZoom };

export async function mountSlideWidgets(slide: Element): Promise<void> {
  await Promise.all([...slide.querySelectorAll<HTMLElement>('.live-terminal:not(.lt-mounted)')].map(mountTerminal));
  // Meters and chat clients follow terminals, so they mount after them.
  for (const el of slide.querySelectorAll<HTMLElement>('.live-meters:not(.lm-mounted)')) mountMeters(el);
  mountRunFigures(slide, (await pageMode()) === 'live');
  const chats = slide.querySelectorAll<HTMLElement>('.ws-chat-client:not(.wc-mounted)');
  if (chats.length) {
    const { mountChatClient } = await import('./chat/chat-client.js');
    await Promise.all([...chats].map(mountChatClient));
  }
}
