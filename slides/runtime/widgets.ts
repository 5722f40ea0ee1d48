// The deck's lazily loaded half: terminals, meters, chat clients and figures from runs, with
// their life cycle (widgets/widget-controller.ts). Kept out of the first load so the title
// slide appears at once.
import { pageMode } from './sources/page-mode.js';
import { pageSources } from './sources/source-registry.js';
import { WidgetController, type Deck } from './widgets/widget-controller.js';

export type { WidgetController };

export async function createWidgets(deck: Deck): Promise<WidgetController> {
  return new WidgetController(deck, await pageMode(), pageSources);
}
