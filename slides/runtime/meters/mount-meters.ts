// Turns `<div class="live-meters" data-terminals="id-a id-b">` into meters that follow
// those terminals' sources (one id: one column; two: compare side by side).
import { MeterWidget } from './meter-widget.js';

export function mountMeters(el: HTMLElement): MeterWidget | undefined {
  const ids = (el.dataset.terminals ?? '').split(/\s+/).filter(Boolean);
  const labels = (el.dataset.labels ?? '').split('|').map((s) => s.trim());
  const inputs = ids.flatMap((id, i) => {
    const term = document.getElementById(id);
    const widget = term?.liveTerminal;
    if (!widget) {
      console.warn(`live-meters: no live terminal with id "${id}"`);
      return [];
    }
    return [{ label: labels[i] || term.dataset.variant || id, source: widget.source }];
  });
  if (inputs.length === 0) {
    el.textContent = `meters: no live terminal found for data-terminals="${el.dataset.terminals ?? ''}"`;
    el.dataset.state = 'error';
    return undefined;
  }
  return new MeterWidget(el, inputs);
}
