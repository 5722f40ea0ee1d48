// @ts-check
// The CLI runs as JavaScript bundled from its TypeScript sources (server/cli/main.ts and
// what it imports), so no compiler runs at start. The bundle lives in build/cli/<hash>/,
// where <hash> covers every source file it was built from: a start re-hashes those files,
// and a changed file means a rebuild, never a stale run. `npm install` builds it (prepare),
// and so does `npm pack`, so an installed package carries it ready.
//
// Plain JavaScript on purpose: this runs before anything is compiled.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENTRY = 'server/cli/main.ts';
/** Files that shape the bundle besides its sources: a change to one of them rebuilds too. */
const BUILD_INPUTS = ['bin/cli-build.js', 'tsconfig.json'];
const KEEP_BUILDS = 3;

/** @typedef {{ hash: string, inputs: string[] }} BuildRecord */

/** @param {string} root */
function buildDir(root) {
  return join(root, 'build', 'cli');
}

/**
 * One hash over the path and content of every input; null when one of them is gone.
 * @param {string} root
 * @param {string[]} inputs
 */
function hashInputs(root, inputs) {
  const h = createHash('sha256');
  for (const file of [...inputs].sort()) {
    let text;
    try {
      text = readFileSync(join(root, file));
    } catch {
      return null;
    }
    h.update(file).update('\0').update(text).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/**
 * The entry module of the current build, or null when there is none or a source changed since.
 * @param {string} root
 * @returns {string | null}
 */
export function freshEntry(root) {
  /** @type {BuildRecord} */
  let record;
  try {
    record = JSON.parse(readFileSync(join(buildDir(root), 'current.json'), 'utf8'));
  } catch {
    return null;
  }
  const entry = join(buildDir(root), record.hash, 'main.js');
  return hashInputs(root, record.inputs) === record.hash && existsSync(entry) ? entry : null;
}

/**
 * Bundles the CLI with esbuild (a development dependency) into build/cli/<hash>/ and makes it
 * current. Safe to run from several processes at once: each builds in its own folder, and
 * whichever renames first wins.
 * @param {string} root
 * @returns {Promise<string>} the entry module
 */
export async function buildCli(root) {
  const esbuild = await import('esbuild');
  const dir = buildDir(root);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.tmp-${process.pid}-${Date.now()}`);
  try {
    const result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: [ENTRY],
      outdir: tmp,
      bundle: true,
      // Each command is a dynamic import in main.ts: a chunk of its own, loaded only when run.
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20.19',
      packages: 'external',
      sourcemap: 'linked',
      chunkNames: 'chunk-[hash]',
      metafile: true,
      logLevel: 'warning',
    });
    const inputs = [...Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules/')), ...BUILD_INPUTS];
    const hash = hashInputs(root, inputs);
    if (!hash) throw new Error('a source file vanished during the build');
    const final = join(dir, hash);
    try {
      renameSync(tmp, final);
    } catch (err) {
      // Another process built the same sources first: use theirs.
      if (!existsSync(join(final, 'main.js'))) throw err;
    }
    const current = join(dir, `.current-${process.pid}.json`);
    writeFileSync(current, JSON.stringify({ hash, inputs }, null, 1) + '\n');
    renameSync(current, join(dir, 'current.json'));
    // Keep the last few builds: a command that started on one a moment ago may still load its chunks.
    const older = readdirSync(dir)
      .filter((name) => name !== hash && name !== 'current.json' && !name.startsWith('.'))
      .map((name) => ({ name, mtime: statSync(join(dir, name)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
    for (const { name } of older.slice(KEEP_BUILDS - 1)) rmSync(join(dir, name), { recursive: true, force: true });
    return join(final, 'main.js');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The fresh entry module, rebuilding first when a source changed. Says so on stderr when it
 * has to build, and says what to do when it cannot.
 * @param {string} root
 * @returns {Promise<string>}
 */
export async function ensureCliBuilt(root) {
  const fresh = freshEntry(root);
  if (fresh) return fresh;
  const why = existsSync(join(buildDir(root), 'current.json')) ? 'its sources changed since the last build' : 'it has not been built yet';
  try {
    await import('esbuild');
  } catch {
    process.stderr.write(
      `what-is-async: the CLI needs building (${why}), and esbuild, a development dependency, is not installed.\n` +
        `  → run "npm install" in ${root} (with its development dependencies), then try again.\n`,
    );
    process.exit(1);
  }
  const t0 = Date.now();
  process.stderr.write(`what-is-async: building the CLI (${why})…`);
  const entry = await buildCli(root);
  process.stderr.write(` ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return entry;
}

// `node bin/cli-build.js`: what `npm install` (prepare) and `npm pack` run.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  try {
    await import('esbuild');
  } catch {
    // An install without development dependencies: the command says what to do if it runs.
    console.log('what-is-async: esbuild is not installed, so the CLI was not built; "npm install" with development dependencies builds it.');
    process.exit(0);
  }
  const entry = await buildCli(root);
  console.log(`what-is-async: CLI built → ${relative(process.cwd(), entry) || entry}`);
}
