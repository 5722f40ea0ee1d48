// Builds the deck when dist/ is missing or older than its sources, so `npm start` is one step.
import { statSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const STAMP = '.build-stamp';

/** Sources whose change makes the built deck stale. */
const SOURCES = ['slides', 'assets', 'server/protocol', 'vite.config.ts', 'package.json', 'package-lock.json'];

function newestMtime(path: string): number {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function buildIsFresh(root: string, outDir = join(root, 'dist')): boolean {
  const stamp = join(outDir, STAMP);
  if (!existsSync(stamp) || !existsSync(join(outDir, 'index.html'))) return false;
  const built = statSync(stamp).mtimeMs;
  return SOURCES.every((s) => newestMtime(join(root, s)) <= built);
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

export async function ensureDeckBuilt(root: string, log: (s: string) => void): Promise<void> {
  if (buildIsFresh(root)) return;
  log('Building the deck (its build is missing or older than its sources)…');
  await buildDeck(root);
}
