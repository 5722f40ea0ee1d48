// The doctor's checks of the recordings: every terminal on every slide (and every "measured
// here" figure) has its recording, made from the sources its demo has now; and recordings no
// slide uses are named, and removed with --prune.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Demo, Registry } from '../registry/registry.js';
import type { CastHeader } from '../../shared/recording.js';
import { recordingsOnDisk, recordingsSlidesUse, unusedRecordings, type UsedRecording } from '../recording/recording-set.js';
import { compareFingerprints, demoSources, fingerprint, hasChanges, type SourceFingerprint } from '../recording/source-fingerprint.js';
import { changeTimes, type ChangeTime, type ChangeTimes } from '../recording/source-history.js';
import type { Check } from './check.js';

const day = (t: number | string) => new Date(t).toISOString().slice(0, 10);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** How to re-record these: per demo variant, or the whole demo when several of its recordings are due. */
function recordCommands(list: { demo: string; variant: string }[]): string {
  const byDemo = new Map<string, Set<string>>();
  for (const r of list) byDemo.set(r.demo, (byDemo.get(r.demo) ?? new Set()).add(r.variant));
  const what = [...byDemo].map(([demo, variants]) => `${demo}${variants.size === 1 ? ` ${[...variants][0]}` : ''}`);
  if (what.length === 1) return `re-record: "npm run record -- ${what[0]}"`;
  return `re-record with "npm run record -- <demo> [variant]" for: ${what.join(', ')} (or "npm run record" for all)`;
}

function castHeader(demo: Demo, key: string): CastHeader {
  const text = readFileSync(join(demo.dir, 'recordings', `${key}.cast`), 'utf8');
  const header = JSON.parse(text.slice(0, text.indexOf('\n') >>> 0)) as CastHeader;
  if (header.version !== 2 || typeof header.what_is_async?.recordedOn?.date !== 'string') throw new Error('not an asciicast v2 recording of ours');
  return header;
}

interface Found {
  use: UsedRecording;
  demo: Demo;
  header?: CastHeader;
  problem?: string;
}

interface Staleness {
  /** What changed: "hello/blocking.py committed 2026-12-01". */
  what: string;
  /** When the recording was made: "made 2026-11-26", "committed 2026-11-26". */
  recording: string;
  /** How that was judged. */
  by: 'source fingerprint' | 'git history' | 'file times';
}

/** Why a recording is older than its sources, or undefined when it is not. */
function staleness(f: Found, now: () => SourceFingerprint, times: () => ChangeTimes): Staleness | undefined {
  const h = f.header!.what_is_async;
  if (h.sources) {
    const c = compareFingerprints(h.sources, now());
    if (!hasChanges(c)) return undefined;
    const parts = [c.changed.length && `${c.changed.join(', ')} changed`, c.added.length && `${c.added.join(', ')} added`, c.removed.length && `${c.removed.join(', ')} removed`];
    return { what: parts.filter(Boolean).join('; '), recording: `made ${day(h.recordedOn.date)}`, by: 'source fingerprint' };
  }
  // Made before recordings carried a fingerprint: go by when the files last changed.
  const demosDir = join(f.demo.dir, '..');
  const rec = times()(join(f.demo.dir, 'recordings', `${f.use.key}.cast`));
  let newest: [string, ChangeTime] | undefined;
  for (const file of demoSources(demosDir, f.demo.manifest.id)) {
    const t = times()(join(demosDir, file));
    if (t && (!newest || t.t > newest[1].t)) newest = [file, t];
  }
  if (!rec || !newest || newest[1].t <= rec.t) return undefined;
  return { what: `${newest[0]} ${newest[1].how} ${day(newest[1].t)}`, recording: `${rec.how} ${day(rec.t)}`, by: rec.how === 'committed' ? 'git history' : 'file times' };
}

/** Stale recordings, one line per demo and cause: "hello: blocking, selectors — hello/blocking.py committed …; recording committed …". */
function staleLines(stale: { f: Found; why: Staleness }[]): string[] {
  const groups = new Map<string, string[]>();
  for (const { f, why } of stale) {
    const head = `${f.use.demo}\0${why.what}; recording ${why.recording}`;
    groups.set(head, [...(groups.get(head) ?? []), f.use.key]);
  }
  return [...groups].map(([head, keys]) => {
    const [demo, why] = head.split('\0');
    return `${demo}: ${keys.join(', ')} — ${why}`;
  });
}

/** "by git history (these recordings carry no source fingerprint)". */
function judgedBy(stale: { why: Staleness }[]): string {
  const ways = [...new Set(stale.map((s) => s.why.by))];
  const legacy = ways.some((w) => w !== 'source fingerprint');
  return `by ${ways.join(' and ')}${legacy ? ' (recordings made before record wrote a source fingerprint)' : ''}`;
}

export function recordingChecks(root: string, registry: Registry, opts: { prune: boolean }): Check[] {
  const chaptersDir = join(root, 'slides', 'chapters');
  const { used, broken } = recordingsSlidesUse(registry, chaptersDir);
  const found: Found[] = used.map((use) => {
    const demo = registry.get(use.demo)!;
    const has = recordingsOnDisk(demo).get(use.key);
    if (!has?.cast || !has.metrics) {
      const missing = !has ? 'no recording' : !has.cast ? `no ${use.key}.cast` : `no ${use.key}.metrics.jsonl (its meters)`;
      return { use, demo, problem: missing };
    }
    try {
      return { use, demo, header: castHeader(demo, use.key) };
    } catch (err) {
      return { use, demo, problem: `unreadable: ${(err as Error).message}` };
    }
  });
  const name = (f: Found) => `${f.use.demo}/${f.use.key} (${f.use.usedBy.join(', ')})`;

  const bad = found.filter((f) => f.problem);
  const present: Check = {
    id: 'recordings',
    title: 'recordings',
    status: bad.length || broken.length ? 'fail' : 'ok',
    detail: bad.length || broken.length ? `${bad.length} of the ${used.length} the slides replay are missing or unreadable${broken.length ? `; ${plural(broken.length, 'terminal')} name no demo` : ''}` : `all ${used.length} the slides replay are there`,
    items: [...broken, ...bad.map((f) => `${name(f)}: ${f.problem}`)],
    fix: [bad.length ? recordCommands(bad.map((f) => f.use)) : '', broken.length ? 'fix those slides’ data-demo / data-variant (what-is-async list shows the demos)' : ''].filter(Boolean).join('; '),
  };

  const fingerprints = new Map<string, SourceFingerprint>();
  let times: ChangeTimes | undefined;
  const readable = found.filter((f) => f.header);
  const stale = readable.flatMap((f) => {
    const why = staleness(
      f,
      () => fingerprints.get(f.use.demo) ?? fingerprints.set(f.use.demo, fingerprint(join(f.demo.dir, '..'), f.use.demo)).get(f.use.demo)!,
      () => (times ??= changeTimes(join(f.demo.dir, '..'))),
    );
    return why ? [{ f, why }] : [];
  });
  const current: Check = {
    id: 'recordings-current',
    title: 'recordings current',
    status: stale.length ? 'warn' : 'ok',
    detail: stale.length ? `${stale.length} of ${readable.length} are older than their demo's sources, ${judgedBy(stale)}: a replay shows what older code did` : `all ${readable.length} were made from the sources their demos have now`,
    items: staleLines(stale),
    fix: recordCommands(stale.map(({ f }) => f.use)),
  };

  const unused = unusedRecordings(registry, chaptersDir);
  const listed = unused.map((u) => `${u.demo.manifest.id}/recordings/${u.files.join(', ')}`);
  if (opts.prune) for (const u of unused) for (const file of u.files) rmSync(join(u.demo.dir, 'recordings', file), { force: true });
  const spare: Check = {
    id: 'recordings-unused',
    title: 'unused recordings',
    status: unused.length && !opts.prune ? 'warn' : 'ok',
    detail: !unused.length ? 'none: every recording is one that record makes' : opts.prune ? `removed ${plural(unused.length, 'recording')} no slide uses` : `${plural(unused.length, 'recording')} no slide uses and record no longer makes`,
    items: listed,
    fix: '"what-is-async doctor --prune" (npm run demo -- doctor --prune) removes them',
  };
  return [present, current, spare];
}
