// Fills the deck's "measured here" slots (<… data-measure="c10k/threads">) with memory per
// connection. Live (the demo server): empty, and labelled so, until the demo runs on this
// machine since the page was opened; then the figure its meters measured. A replay or the
// print view: the recorded run bundled with the deck (fetched when the slot's slide comes
// near; all at once for print), named by date, Python and machine.
// <… data-measure-source="c10k"> says which.
import { parseMetrics, recordingPaths } from '../../shared/recording.js';
import { formatBytes } from '../../shared/format.js';

export interface Measured {
  demo: string;
  variant: string;
  perConnectionBytes: number;
  /** 'live' when measured on this page just now, else the recording's date. */
  source: string;
  /** "recorded 2026-11-26 · Python 3.11.7 · 2 cores, 24 GiB", for a recording */
  label?: string;
}

export const MEASURED_EVENT = 'what-is-async:measured';

function fill(m: Measured): void {
  for (const el of document.querySelectorAll<HTMLElement>(`[data-measure="${m.demo}/${m.variant}"]`)) {
    if (el.dataset.measuredSource === 'live' && m.source !== 'live') continue; // live wins
    el.classList.remove('slot-empty');
    const target = el.querySelector('b') ?? el;
    target.textContent = formatBytes(m.perConnectionBytes);
    el.dataset.measuredBytes = String(Math.round(m.perConnectionBytes));
    el.dataset.measuredSource = m.source;
    el.title = m.source === 'live' ? 'measured live on this machine' : `recorded on ${m.source}`;
  }
  const sources = (sourcesByDemo[m.demo] ??= {});
  if (!(sources[m.variant] === 'live' && m.source !== 'live')) sources[m.variant] = m.source === 'live' ? 'live' : (m.label ?? m.source);
  for (const el of document.querySelectorAll<HTMLElement>(`[data-measure-source="${m.demo}"]`)) el.textContent = describeSources(m.demo, sources);
}

/** Where each variant's figure came from, per demo: 'live', or its recording's label. */
const sourcesByDemo: Record<string, Record<string, string>> = {};

/** "from the c10k recordings: 2026-11-26 (asyncio, selectors), 2026-12-01 (threads) · Python 3.11.7 · …" */
function describeSources(demo: string, sources: Record<string, string>): string {
  const live = Object.keys(sources).filter((v) => sources[v] === 'live');
  const byLabel = new Map<string, string[]>();
  for (const [variant, label] of Object.entries(sources)) if (label !== 'live') byLabel.set(label, [...(byLabel.get(label) ?? []), variant]);
  const recorded = [...byLabel.entries()].map(([label, variants]) => (byLabel.size > 1 ? `${label} (${variants.join(', ')})` : label));
  const parts = [...(live.length ? [`measured live here just now (${live.join(', ')})`] : []), ...(recorded.length ? [`from the ${demo} recordings: ${recorded.join('; ')}`] : [])];
  return parts.join('; ');
}

/** Live: a slot says it is empty until the demo runs here. */
function empty(demo: string, variant: string): void {
  for (const el of document.querySelectorAll<HTMLElement>(`[data-measure="${demo}/${variant}"]`)) {
    if (el.dataset.measuredSource) continue;
    const target = el.querySelector('b') ?? el;
    target.textContent = 'not run yet';
    el.dataset.measuredSource = 'none';
    el.classList.add('slot-empty');
    el.title = `empty until the ${demo} demo (${variant}) runs on this machine`;
  }
  for (const el of document.querySelectorAll<HTMLElement>(`[data-measure-source="${demo}"]`)) {
    if (!(sourcesByDemo[demo] && Object.keys(sourcesByDemo[demo]).length)) el.textContent = `not measured yet: the ${demo.toUpperCase()} demo fills it, live`;
  }
}

async function fromRecording(demo: string, variant: string): Promise<void> {
  try {
    const res = await fetch(new URL(`recordings/${demo}/${encodeURI(recordingPaths(variant).metrics)}`, document.baseURI));
    if (!res.ok) return;
    const { header, metrics } = parseMetrics(await res.text());
    const last = metrics.findLast((r) => r.perConnectionBytes)?.perConnectionBytes ?? null;
    const on = header?.recordedOn;
    const label = on?.date ? `${on.date.slice(0, 10)} · Python ${on.python ?? '?'} · ${on.machine ?? ''}` : undefined;
    if (last !== null) fill({ demo, variant, perConnectionBytes: last, source: on?.date?.slice(0, 10) ?? 'a recording', label });
  } catch {
    // no recording in this build: the slot keeps its "?" and the speaker reads the meters
  }
}

const requested = new Set<string>();

/** Live figures replace recorded ones wherever they are on the page, from the first run on. */
export function listenForMeasuredFigures(): void {
  document.addEventListener(MEASURED_EVENT, (ev) => fill((ev as CustomEvent<Measured>).detail));
}

/**
 * The slots in `scope` (once each), called as their slide comes near: live, their empty state;
 * otherwise their recordings, fetched (resolves once they are filled, for the print view).
 */
export function fillMeasuredFigures(scope: ParentNode, live: boolean): Promise<void> {
  const pending: Promise<void>[] = [];
  for (const el of scope.querySelectorAll<HTMLElement>('[data-measure]')) {
    const key = el.dataset.measure!;
    if (requested.has(key)) continue;
    requested.add(key);
    const [demo, variant] = key.split('/');
    if (!demo || !variant) continue;
    if (live) empty(demo, variant);
    else pending.push(fromRecording(demo, variant));
  }
  return Promise.all(pending).then(() => undefined);
}
