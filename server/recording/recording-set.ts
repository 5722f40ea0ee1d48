// Which recordings there should be: the ones `record` makes, and the ones the slides replay.
// `record` and `doctor` both read them from here, so what doctor calls unused is exactly what
// record would never make again.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Demo, Registry } from '../registry/registry.js';
import type { ParamValue } from '../registry/manifest.js';
import { recordingKey } from '../../shared/recording.js';
import { measuredSlots, slideDemos, slideTerminals } from './slide-demos.js';

export interface PlannedRecording {
  demo: Demo;
  variant: string;
  /** Parameters a slide sets; undefined for the variant's own recording (the manifest's recording parameters). */
  params: Record<string, ParamValue> | undefined;
  key: string;
}

const defaultVariant = (d: Demo) => d.manifest.defaultVariant ?? Object.keys(d.manifest.variants)[0]!;
const hasParams = (p: Record<string, ParamValue> | undefined): p is Record<string, ParamValue> => !!p && Object.keys(p).length > 0;

/** Every recording `record` makes, demo by demo: one per variant, then one per parameter set a slide gives. */
export function recordingsToMake(registry: Registry, chaptersDir: string): PlannedRecording[] {
  const onSlides = slideDemos(chaptersDir);
  return [...registry.values()].flatMap((demo) => {
    const own = Object.keys(demo.manifest.variants).map((variant) => ({ demo, variant, params: undefined, key: variant }));
    const fromSlides = onSlides
      .filter((s) => s.demo === demo.manifest.id && hasParams(s.params))
      .map((s) => ({ demo, variant: s.variant ?? defaultVariant(demo), params: s.params }))
      .filter((j) => Object.hasOwn(demo.manifest.variants, j.variant))
      .map((j) => ({ ...j, key: recordingKey(j.variant, j.params) }));
    return [...own, ...fromSlides];
  });
}

export interface UsedRecording {
  demo: string;
  variant: string;
  key: string;
  /** Where the slides use it: "04-c10k.html #c10k-threads", "03-what-for.html (measured figure)". */
  usedBy: string[];
}

export interface SlideUse {
  used: UsedRecording[];
  /** Terminals that name a demo or variant there is none of: no recording can exist for them. */
  broken: string[];
}

/** The recordings the slides replay: every terminal's, and the variant recordings that "measured here" slots read. */
export function recordingsSlidesUse(registry: Registry, chaptersDir: string): SlideUse {
  const used = new Map<string, UsedRecording>();
  const broken: string[] = [];
  const use = (demo: string, variant: string, key: string, where: string) => {
    const id = `${demo}/${key}`;
    const u = used.get(id) ?? { demo, variant, key, usedBy: [] };
    u.usedBy.push(where);
    used.set(id, u);
  };
  for (const t of slideTerminals(chaptersDir)) {
    const where = `${t.file}${t.id ? ` #${t.id}` : ''}`;
    const demo = registry.get(t.demo);
    const variant = demo && (t.variant ?? defaultVariant(demo));
    if (!demo || !variant || !Object.hasOwn(demo.manifest.variants, variant)) {
      broken.push(`${where}: ${demo ? `demo "${t.demo}" has no variant "${t.variant}"` : `there is no demo "${t.demo}"`}`);
      continue;
    }
    use(t.demo, variant, hasParams(t.params) ? recordingKey(variant, t.params) : variant, where);
  }
  for (const m of measuredSlots(chaptersDir)) {
    if (registry.get(m.demo)?.manifest.variants[m.variant]) use(m.demo, m.variant, m.variant, `${m.file} (measured figure)`);
    else broken.push(`${m.file}: data-measure="${m.demo}/${m.variant}" names no demo variant`);
  }
  return { used: [...used.values()], broken };
}

const FILE = /^(.+?)(\.cast|\.metrics\.jsonl)$/;

/** The recordings in a demo's folder: key → which of its two files are there. */
export function recordingsOnDisk(demo: Demo): Map<string, { cast: boolean; metrics: boolean }> {
  const dir = join(demo.dir, 'recordings');
  const out = new Map<string, { cast: boolean; metrics: boolean }>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    const m = FILE.exec(f);
    if (!m) continue;
    const e = out.get(m[1]!) ?? { cast: false, metrics: false };
    if (m[2] === '.cast') e.cast = true;
    else e.metrics = true;
    out.set(m[1]!, e);
  }
  return out;
}

/** Recordings on disk that `record` would not make again (no slide uses them): "hello/blocking@count=3,delay=0.5". */
export function unusedRecordings(registry: Registry, chaptersDir: string): { demo: Demo; key: string; files: string[] }[] {
  const made = new Set(recordingsToMake(registry, chaptersDir).map((j) => `${j.demo.manifest.id}/${j.key}`));
  return [...registry.values()].flatMap((demo) =>
    [...recordingsOnDisk(demo)]
      .filter(([key]) => !made.has(`${demo.manifest.id}/${key}`))
      .map(([key, has]) => ({ demo, key, files: [...(has.cast ? [`${key}.cast`] : []), ...(has.metrics ? [`${key}.metrics.jsonl`] : [])] })),
  );
}
