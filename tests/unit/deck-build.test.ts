import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, utimesSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIsFresh } from '../../server/http/deck-build.js';

describe('build freshness', () => {
  it('is stale when the build is missing, fresh after a build, stale again when a source changes', () => {
    const root = mkdtempSync(join(tmpdir(), 'wia-build-'));
    mkdirSync(join(root, 'slides/chapters'), { recursive: true });
    writeFileSync(join(root, 'slides/chapters/00.html'), '<section></section>');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'slides/chapters/00.html'), old, old);
    utimesSync(join(root, 'slides/chapters'), old, old);
    utimesSync(join(root, 'slides'), old, old);
    expect(buildIsFresh(root)).toBe(false);

    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist/index.html'), '');
    writeFileSync(join(root, 'dist/.build-stamp'), '');
    expect(buildIsFresh(root)).toBe(true);

    // A sample's run leaves a __pycache__ beside it: the folder's time moves, no source did.
    mkdirSync(join(root, 'demos/d'), { recursive: true });
    writeFileSync(join(root, 'demos/d/s.py'), 'print(1)\n');
    utimesSync(join(root, 'demos/d/s.py'), old, old);
    mkdirSync(join(root, 'demos/d/__pycache__'));
    writeFileSync(join(root, 'demos/d/__pycache__/s.cpython-311.pyc'), '');
    expect(buildIsFresh(root)).toBe(true);

    const later = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'slides/chapters/00.html'), later, later);
    expect(buildIsFresh(root)).toBe(false);
    rmSync(root, { recursive: true });
  });
});
