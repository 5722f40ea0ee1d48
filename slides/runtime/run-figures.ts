// Figures on a slide that come from runs, never typed in:
//   <span class="run-figure" data-ratio="not-faster-threads not-faster-asyncio"
//         data-match="([\d,.]+) requests/s" data-source="nf-ratio-source">?</span>
// is the first terminal's last matching number divided by the second's: at first from the
// recordings of the very runs those terminals start (named, with date and Python), then,
// once both have run live on this page, from what they printed just now. The element says
// where its figure came from in data-source-kind (recording | live) and in the element
// named by data-source. The terminals are read from their markup and followed through the
// page's registry; only runs whose provenance is live count as "just now".
import { recordingPaths } from '../../shared/recording.js';
import { attributesOf, readTerminal, type TerminalMarkup } from '../../shared/slide-markup.js';
import { plainText, recordedLabel, screenText } from './screen-text.js';
import type { SourceRegistry } from './sources/source-registry.js';
import type { SlideWidget } from './widgets/slide-widget.js';

function lastNumber(text: string, pattern: RegExp): number | undefined {
  let found: number | undefined;
  for (const line of text.split('\n')) {
    const m = pattern.exec(line);
    if (m?.[1]) found = Number(m[1].replace(/,/g, ''));
  }
  return found !== undefined && Number.isFinite(found) ? found : undefined;
}

function terminalRun(id: string): TerminalMarkup | undefined {
  const el = document.getElementById(id);
  if (!el?.classList.contains('live-terminal')) return undefined;
  const { markup, problems } = readTerminal(attributesOf(el));
  return problems.length ? undefined : markup;
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
        const res = await fetch(new URL(`recordings/${r!.demo}/${encodeURI(recordingPaths(r!.variant ?? 'default', r!.params).cast)}`, document.baseURI));
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        return screenText(await res.text());
      }),
    );
    const [a, b] = casts.map((c) => lastNumber(c.lines.join('\n'), pattern));
    if (a === undefined || b === undefined || b === 0 || el.dataset.sourceKind === 'live') return;
    const names = runs.map((r) => `${r!.demo} ${r!.variant ?? ''}`.trim()).join(' ÷ ');
    show(el, a, b, 'recording', `${names}: ${recordedLabel(casts[0]!.header)}`);
  } catch {
    // no recording in this build: the figure keeps its "?" until both run live
  }
}

/** Live: what each terminal printed in its latest live run, and the ratio once both have a number. */
function followLive(el: HTMLElement, ids: string[], pattern: RegExp, registry: SourceRegistry): () => void {
  const texts = ids.map(() => '');
  const live = ids.map(() => false);
  const decoders = ids.map(() => new TextDecoder());
  const unfollow = ids.map((id, i) =>
    registry.follow(id, (source) => {
      const offs = [
        source.on('run', (run) => {
          texts[i] = '';
          decoders[i] = new TextDecoder();
          live[i] = run.provenance.kind === 'live';
        }),
        source.on('output', (bytes) => {
          if (!live[i]) return;
          texts[i] += plainText(decoders[i]!.decode(bytes, { stream: true }));
          if (texts[i]!.length > 200_000) texts[i] = texts[i]!.slice(-100_000);
          const values = texts.map((text) => lastNumber(text, pattern));
          if (values.every((v) => v !== undefined) && values[1] !== 0) {
            show(el, values[0]!, values[1]!, 'live', 'measured live on this machine, just now');
          }
        }),
      ];
      return () => offs.forEach((off) => off());
    }),
  );
  return () => unfollow.forEach((off) => off());
}

/** A figure from two terminals' runs, for the life of its slide. */
class RunFigure implements SlideWidget {
  readonly busy = false;
  private readonly unfollow: () => void;

  constructor(
    private readonly el: HTMLElement,
    ids: string[],
    pattern: RegExp,
    registry: SourceRegistry,
  ) {
    el.classList.add('rf-mounted');
    void fromRecordings(el, ids, pattern);
    this.unfollow = followLive(el, ids, pattern, registry);
  }

  layout(): void {}
  shown(): void {}
  hidden(): void {}

  /** The figure keeps what it shows; only following the terminals stops. */
  destroy(): void {
    this.unfollow();
    this.el.classList.remove('rf-mounted');
  }
}

export function mountRunFigure(el: HTMLElement, registry: SourceRegistry): SlideWidget | undefined {
  const ids = (el.dataset.ratio ?? '').split(/\s+/).filter(Boolean);
  let pattern: RegExp;
  try {
    pattern = new RegExp(el.dataset.match ?? '');
  } catch {
    console.warn(`run-figure: data-match is not a regular expression: ${el.dataset.match}`);
    return undefined;
  }
  if (ids.length !== 2) return undefined;
  return new RunFigure(el, ids, pattern, registry);
}
