// Figures on a slide that come from runs, never typed in:
//   <span class="run-figure" data-ratio="not-faster-threads not-faster-asyncio"
//         data-match="([\d,.]+) requests/s" data-source="nf-ratio-source">?</span>
// is the first terminal's last matching number divided by the second's: at first from the
// recordings of the very runs those terminals start (named, with date and Python), then,
// once both have run live on this page, from what they printed just now. The element says
// where its figure came from in data-source-kind (recording | live) and in the element
// named by data-source.
import { recordingPaths } from '../../shared/recording.js';
import { plainText, recordedLabel, screenText } from './screen-text.js';
import type { TerminalWidget } from './terminal/terminal-widget.js';

type Params = Record<string, number | boolean | string>;

function lastNumber(text: string, pattern: RegExp): number | undefined {
  let found: number | undefined;
  for (const line of text.split('\n')) {
    const m = pattern.exec(line);
    if (m?.[1]) found = Number(m[1].replace(/,/g, ''));
  }
  return found !== undefined && Number.isFinite(found) ? found : undefined;
}

function terminalRun(id: string): { demo: string; variant: string; params: Params | undefined } | undefined {
  const el = document.getElementById(id);
  if (!el?.dataset.demo) return undefined;
  let params: Params | undefined;
  try {
    params = el.dataset.params ? (JSON.parse(el.dataset.params) as Params) : undefined;
  } catch {
    params = undefined;
  }
  return { demo: el.dataset.demo, variant: el.dataset.variant ?? 'default', params };
}

function show(el: HTMLElement, a: number, b: number, kind: 'recording' | 'live', label: string): void {
  const ratio = a / b;
  el.textContent = `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1)}×`;
  el.dataset.value = String(ratio);
  el.dataset.sourceKind = kind;
  el.title = label;
  const source = el.dataset.source ? document.getElementById(el.dataset.source) : null;
  if (source) source.textContent = label;
}

async function fromRecordings(el: HTMLElement, ids: string[], pattern: RegExp): Promise<void> {
  const runs = ids.map(terminalRun);
  if (runs.some((r) => !r)) return;
  try {
    const casts = await Promise.all(
      runs.map(async (r) => {
        const res = await fetch(new URL(`recordings/${r!.demo}/${encodeURI(recordingPaths(r!.variant, r!.params).cast)}`, document.baseURI));
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        return screenText(await res.text());
      }),
    );
    const [a, b] = casts.map((c) => lastNumber(c.lines.join('\n'), pattern));
    if (a === undefined || b === undefined || b === 0 || el.dataset.sourceKind === 'live') return;
    const names = runs.map((r) => `${r!.demo} ${r!.variant}`).join(' ÷ ');
    show(el, a, b, 'recording', `${names}: ${recordedLabel(casts[0]!.header)}`);
  } catch {
    // no recording in this build: the figure keeps its "?" until both run live
  }
}

/** Live: what each terminal printed in its latest run, and the ratio once both have a number. */
function followLive(el: HTMLElement, terminals: TerminalWidget[], pattern: RegExp): void {
  const texts = terminals.map(() => '');
  const decoders = terminals.map(() => new TextDecoder());
  terminals.forEach((t, i) => {
    t.source.on('started', () => (texts[i] = ''));
    t.source.on('output', (bytes) => {
      texts[i] += plainText(decoders[i]!.decode(bytes, { stream: true }));
      if (texts[i]!.length > 200_000) texts[i] = texts[i]!.slice(-100_000);
      const values = texts.map((text) => lastNumber(text, pattern));
      if (values.every((v) => v !== undefined) && values[1] !== 0) {
        show(el, values[0]!, values[1]!, 'live', 'measured live on this machine, just now');
      }
    });
  });
}

export function mountRunFigures(slide: Element, live: boolean): void {
  for (const el of slide.querySelectorAll<HTMLElement>('.run-figure[data-ratio]:not(.rf-mounted)')) {
    el.classList.add('rf-mounted');
    const ids = (el.dataset.ratio ?? '').split(/\s+/).filter(Boolean);
    let pattern: RegExp;
    try {
      pattern = new RegExp(el.dataset.match ?? '');
    } catch {
      console.warn(`run-figure: data-match is not a regular expression: ${el.dataset.match}`);
      continue;
    }
    if (ids.length !== 2) continue;
    void fromRecordings(el, ids, pattern);
    const terminals = ids.map((id) => document.getElementById(id)?.liveTerminal);
    if (live && terminals.every((t): t is TerminalWidget => t !== undefined)) followLive(el, terminals, pattern);
  }
}
