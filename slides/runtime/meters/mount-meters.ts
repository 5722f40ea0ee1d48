// Turns `<div class="live-meters" data-terminals="id-a id-b">` into meters that follow the
// runs of those terminals, through the page's registry (one id: one column; two: compare
// side by side).
import { attributesOf, readMeters } from '../../../shared/slide-markup.js';
import type { SourceRegistry } from '../sources/source-registry.js';
import { MeterWidget } from './meter-widget.js';

export function mountMeters(el: HTMLElement, registry: SourceRegistry): MeterWidget | undefined {
  const { terminals, labels } = readMeters(attributesOf(el));
  const inputs = terminals.flatMap((id, i) => {
    if (!document.getElementById(id)?.classList.contains('live-terminal')) {
      console.warn(`live-meters: no live terminal with id "${id}"`);
      return [];
    }
    return [{ label: labels[i] || registry.get(id)?.request.variant || id, terminal: id }];
  });
  if (inputs.length === 0) {
    el.textContent = `meters: no live terminal found for data-terminals="${el.dataset.terminals ?? ''}"`;
    el.dataset.state = 'error';
    return undefined;
  }
  return new MeterWidget(el, inputs, registry);
}
