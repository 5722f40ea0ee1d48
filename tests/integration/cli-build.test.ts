// The command runs bundled JavaScript, never stale: a change to any TypeScript file it was
// built from means a rebuild at the next start, said on stderr, even with several starts at once.
import { describe, it, expect, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/server.js';
import { collect } from '../helpers/cli.js';

// Inside the project, so the copy finds esbuild in its node_modules.
mkdirSync(join(ROOT, 'test-results'), { recursive: true });
const dir = mkdtempSync(join(ROOT, 'test-results', 'cli-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

mkdirSync(join(dir, 'bin'));
mkdirSync(join(dir, 'server/cli'), { recursive: true });
for (const f of ['what-is-async.js', 'cli-build.js']) copyFileSync(join(ROOT, 'bin', f), join(dir, 'bin', f));
writeFileSync(join(dir, 'tsconfig.json'), '{}\n');
writeFileSync(join(dir, 'server/cli/main.ts'), "import { message } from './message.js';\nconst out: string = message;\nconsole.log(out);\n");
const say = (text: string) => writeFileSync(join(dir, 'server/cli/message.ts'), `export const message: string = ${JSON.stringify(text)};\n`);

async function start() {
  const io = collect(spawn(process.execPath, [join(dir, 'bin/what-is-async.js')], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const code = await io.exit;
  return { code, out: io.out().trim(), err: io.err() };
}

describe('the built CLI', () => {
  it('is built on first start, then reused, then rebuilt when a source changes', async () => {
    say('one');
    const first = await start();
    expect(first).toMatchObject({ code: 0, out: 'one' });
    expect(first.err).toMatch(/building the CLI \(it has not been built yet\)… [\d.]+ s/);

    const again = await start();
    expect(again).toEqual({ code: 0, out: 'one', err: '' });

    say('two');
    const changed = await start();
    expect(changed).toMatchObject({ code: 0, out: 'two' });
    expect(changed.err).toMatch(/building the CLI \(its sources changed since the last build\)/);
  });

  it('several starts after a change all run the new code', async () => {
    say('three');
    const runs = await Promise.all([start(), start(), start()]);
    expect(runs.map((r) => [r.code, r.out])).toEqual([
      [0, 'three'],
      [0, 'three'],
      [0, 'three'],
    ]);
    expect((await start()).err).toBe('');
  });

  it('keeps only the last few builds', async () => {
    for (const text of ['four', 'five', 'six']) {
      say(text);
      expect((await start()).out).toBe(text);
    }
    const builds = readdirSync(join(dir, 'build/cli')).filter((n) => n !== 'current.json');
    expect(builds.length).toBeLessThanOrEqual(3);
  });
});
