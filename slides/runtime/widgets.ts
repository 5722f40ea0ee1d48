// The deck's lazily loaded half: terminals, meters, chat clients and figures from runs, with
// their life cycle (widgets/widget-controller.ts). Kept out of the first load so the title
// slide appears at once.
import { pageMode } from './sources/page-mode.js';
import { pageSources } from './sources/source-registry.js';
import { WidgetController, type Deck } from './widgets/widget-controller.js';
import { prefetchRecordings } from './terminal/mount-terminal.js';

export type { WidgetController };

export async function createWidgets(deck: Deck): Promise<WidgetController> {
  const mode = await pageMode();
  // Live: every terminal's recording at hand, so a fail-over works even once the server that
  // serves them is gone (all of them together are well under a megabyte).
  if (mode === 'live') {
    const idle = (globalThis as { requestIdleCallback?: (f: () => void) => void }).requestIdleCallback ?? ((f: () => void) => setTimeout(f, 200));
    idle(() => prefetchRecordings(document));
  }
  return new WidgetController(deck, mode, pageSources);
}
