// The package as a fresh clone installs it: npm writes the lock's root entry from package.json,
// so any field that differs would make `npm install` modify a clean checkout.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { name: string; version: string; packages: Record<string, Record<string, unknown>> };

describe('package-lock.json', () => {
  it.each(['name', 'version', 'license', 'bin', 'dependencies', 'devDependencies', 'optionalDependencies', 'engines'])('its root entry has the same %s as package.json', (field) => {
    expect(lock.packages['']![field]).toEqual(pkg[field]);
  });

  it('names the same package', () => {
    expect([lock.name, lock.version]).toEqual([pkg.name, pkg.version]);
  });
});

describe('package.json', () => {
  it('ships the built CLI and what it runs', () => {
    expect(pkg.files).toEqual(expect.arrayContaining(['bin', 'build/cli', 'server', 'demos']));
    expect(pkg.bin).toEqual({ 'what-is-async': 'bin/what-is-async.js' });
    // Built when the project is installed from its folder, and before it is packed.
    expect((pkg.scripts as Record<string, string>).prepare).toBe('node bin/cli-build.js');
  });
});
