// What a demo's recordings were made from: a hash of each source file of the demo (its
// folder, but for recordings and caches) and of the shared modules it imports. `record`
// writes it into each recording's header; `doctor` hashes the files again and names those
// that changed. Content, not file times: a clone or checkout resets every mtime.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Path under demos/ ("c10k/c10k.py", "shared/launch.py") → the first 16 hex digits of its SHA-256. */
export type SourceFingerprint = Record<string, string>;

const SHARED = 'shared';
const SKIP_DIRS = new Set(['recordings', '__pycache__']);
/** Files that do not change what a run prints: notes, editor and OS droppings. */
const SKIP_FILE = /(^\.|\.md$|\.pyc$|~$)/;
const IMPORT = /^\s*(?:from|import)\s+([A-Za-z_]\w*)/gm;

function filesUnder(demosDir: string, rel: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(demosDir, rel), { withFileTypes: true })) {
    if (e.isDirectory() ? SKIP_DIRS.has(e.name) || e.name.startsWith('.') : SKIP_FILE.test(e.name)) continue;
    const path = `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...filesUnder(demosDir, path));
    else if (e.isFile()) out.push(path);
  }
  return out;
}

/** The modules of demos/shared/ that `files` import, and those they import in turn. */
function sharedImports(demosDir: string, files: string[]): string[] {
  const found = new Set<string>();
  const queue = files.filter((f) => f.endsWith('.py'));
  while (queue.length) {
    const text = readFileSync(join(demosDir, queue.pop()!), 'utf8');
    for (const [, name] of text.matchAll(IMPORT)) {
      const path = `${SHARED}/${name}.py`;
      if (!found.has(path) && existsSync(join(demosDir, path))) {
        found.add(path);
        queue.push(path);
      }
    }
  }
  return [...found];
}

/** The files under `demosDir` that a demo's runs depend on, sorted. */
export function demoSources(demosDir: string, demo: string): string[] {
  const own = filesUnder(demosDir, demo);
  return [...own, ...sharedImports(demosDir, own)].sort();
}

export function fingerprint(demosDir: string, demo: string): SourceFingerprint {
  const out: SourceFingerprint = {};
  for (const f of demoSources(demosDir, demo)) out[f] = createHash('sha256').update(readFileSync(join(demosDir, f))).digest('hex').slice(0, 16);
  return out;
}

export interface SourceChanges {
  changed: string[];
  added: string[];
  removed: string[];
}

export function compareFingerprints(recorded: SourceFingerprint, now: SourceFingerprint): SourceChanges {
  const changed = Object.keys(now).filter((f) => Object.hasOwn(recorded, f) && recorded[f] !== now[f]);
  const added = Object.keys(now).filter((f) => !Object.hasOwn(recorded, f));
  const removed = Object.keys(recorded).filter((f) => !Object.hasOwn(now, f));
  return { changed, added, removed };
}

export const hasChanges = (c: SourceChanges) => c.changed.length + c.added.length + c.removed.length > 0;
