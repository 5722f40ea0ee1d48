// Builds the deck when dist/ is missing or older than its sources, so `npm start` is one step.
import { statSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const STAMP = '.build-stamp';

/**
 * Sources whose change makes the built deck stale: the deck's code, the samples its code
 * slides are cut from, and the recordings it replays.
 */
function sources(root: string): string[] {
  const fixed = ['slides', 'assets', 'shared', 'vite.config.ts', 'package.json', 'package-lock.json'];
  let demos: string[] = [];
  try {
    demos = readdirSync(join(root, 'demos')).map((d) => `demos/${d}`);
  } catch {
    // no demos folder: nothing to replay
  }
  return [...fixed, ...demos];
}

function newestMtime(path: string): number {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  // Files only: a folder's own time changes when anything appears in it (a __pycache__ a
  // sample's run leaves beside it), which is no change to the deck.
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === '__pycache__') continue; // written whenever a sample runs: not a source
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

export function buildIsFresh(root: string, outDir = join(root, 'dist')): boolean {
  const stamp = join(outDir, STAMP);
  if (!existsSync(stamp) || !existsSync(join(outDir, 'index.html'))) return false;
  const built = statSync(stamp).mtimeMs;
  return sources(root).every((s) => newestMtime(join(root, s)) <= built);
}

/** Runs Vite's production build into `outDir` and stamps it. */
export async function buildDeck(root: string, outDir = join(root, 'dist'), quiet = false): Promise<void> {
  const { build } = await import('vite');
  await build({
    configFile: join(root, 'vite.config.ts'),
    logLevel: quiet ? 'warn' : 'info',
    build: { outDir, emptyOutDir: true },
  });
  writeFileSync(join(outDir, STAMP), new Date().toISOString() + '\n');
}

/** Builds the deck if needed, saying so in two short lines (Vite itself speaks only to warn). */
export async function ensureDeckBuilt(root: string, log: (s: string) => void): Promise<void> {
  if (buildIsFresh(root)) return;
  const t0 = Date.now();
  log('Building the deck (its build is missing or older than its sources)…');
  await buildDeck(root, join(root, 'dist'), true);
  log(`Built in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
}
