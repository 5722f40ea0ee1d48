// When a file last changed, for recordings made before they carried a source fingerprint:
// in a git checkout, the time of the last commit that touched it (a checkout resets mtimes,
// commits keep their times), or its mtime while it has changes not yet committed; outside git,
// its mtime alone.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface ChangeTime {
  /** Milliseconds since the epoch. */
  t: number;
  how: 'committed' | 'modified';
}

export type ChangeTimes = (absolutePath: string) => ChangeTime | undefined;

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 20_000, stdio: ['ignore', 'pipe', 'ignore'] });
}

function mtime(path: string): ChangeTime | undefined {
  try {
    return { t: statSync(path).mtimeMs, how: 'modified' };
  } catch {
    return undefined;
  }
}

/** Change times of the files under `dir` (absolute). */
export function changeTimes(dir: string): ChangeTimes {
  let committed: Map<string, number>;
  let dirty: Set<string>;
  try {
    const top = git(dir, ['rev-parse', '--show-toplevel']).trim();
    committed = new Map();
    let t = 0;
    // Newest first: a file's first appearance is its last commit.
    for (const line of git(dir, ['log', '--format=%x01%ct', '--name-only', '--', '.']).split('\n')) {
      if (line.startsWith('\x01')) t = Number(line.slice(1)) * 1000;
      else if (line) {
        const path = join(top, line);
        if (!committed.has(path)) committed.set(path, t);
      }
    }
    // Porcelain paths are relative to the top of the repository.
    const status = git(dir, ['status', '--porcelain', '-z', '--untracked-files=all', '--', '.']).split('\0');
    dirty = new Set(status.filter((e) => e.length > 3).map((e) => join(top, e.slice(3))));
  } catch {
    return mtime; // not a git checkout (an installed package), or no git
  }
  return (path) => {
    const p = resolve(path);
    const at = committed.get(p);
    return dirty.has(p) || at === undefined ? mtime(p) : { t: at, how: 'committed' };
  };
}
