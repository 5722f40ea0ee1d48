// The parts doctor builds on: which recordings the slides use and which no slide does, what
// a demo's recordings are made from, when a file last changed in git, the slides' needs, the
// limits as /proc prints them, and old recordings still parsing.
import { describe, it, expect, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegistry } from '../../server/registry/registry.js';
import { ROOT } from '../helpers/server.js';
import { parseRecording } from '../../shared/recording.js';
import { recordingsSlidesUse, recordingsToMake } from '../../server/recording/recording-set.js';
import { compareFingerprints, demoSources, fingerprint } from '../../server/recording/source-fingerprint.js';
import { changeTimes } from '../../server/recording/source-history.js';
import { slideNeeds } from '../../server/doctor/slide-needs.js';
import { parseProcLimits } from '../../server/doctor/limits.js';
import { report, verdict, wrap } from '../../server/doctor/check.js';
import { openFilesCheck } from '../../server/doctor/machine-checks.js';

const registry = loadRegistry(join(ROOT, 'demos'));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'wia-doctor-'));
  dirs.push(d);
  return d;
}
function chapters(html: string): string {
  const dir = temp();
  writeFileSync(join(dir, '01-x.html'), html);
  return dir;
}

describe('recordings the slides use', () => {
  it('are each terminal’s, and the variant recordings that "measured here" slots read', () => {
    const dir = chapters(`<section>
      <div class="live-terminal" id="c10k-threads" data-demo="c10k" data-variant="threads" data-params='{"connections": 10000}'></div>
      <div class="live-terminal" data-demo="hello"></div>
      <td class="slot" data-measure="c10k/threads">?</td>
      <div class="live-terminal" id="oops" data-demo="nope"></div>
      <div class="live-terminal" id="typo" data-demo="hello" data-variant="threads"></div></section>`);
    const { used, broken } = recordingsSlidesUse(registry, dir);
    expect(used).toEqual([
      { demo: 'c10k', variant: 'threads', key: 'threads@connections=10000', usedBy: ['01-x.html #c10k-threads'] },
      { demo: 'hello', variant: 'blocking', key: 'blocking', usedBy: ['01-x.html'] }, // the demo's default variant
      { demo: 'c10k', variant: 'threads', key: 'threads', usedBy: ['01-x.html (measured figure)'] },
    ]);
    expect(broken).toEqual(['01-x.html #oops: there is no demo "nope"', '01-x.html #typo: demo "hello" has no variant "threads"']);
  });

  it('record makes one per variant and one per parameter set a slide gives: what doctor does not call unused', () => {
    const dir = chapters(`<div class="live-terminal" data-demo="hello" data-variant="selectors" data-params='{"count": 5}'></div>`);
    const hello = recordingsToMake(registry, dir).filter((j) => j.demo.manifest.id === 'hello');
    expect(hello.map((j) => j.key)).toEqual(['blocking', 'selectors', 'selectors@count=5']);
  });
});

describe('what the slides ask of the machine', () => {
  it('the most connections a terminal opens, and the threads a thread-per-connection variant starts, up to its cap', () => {
    const dir = chapters(`
      <div class="live-terminal" id="a" data-demo="c10k" data-variant="asyncio" data-params='{"connections": 15000}'></div>
      <div class="live-terminal" id="t" data-demo="c10k" data-variant="threads" data-params='{"connections": 15000, "maxThreads": 12000}'></div>
      <div class="live-terminal" id="h" data-demo="hello"></div>`);
    expect(slideNeeds(registry, dir)).toEqual({
      connections: { count: 15000, where: ['01-x.html #a', '01-x.html #t'] },
      threads: { count: 12000, where: ['01-x.html #t'] },
    });
    // No data-params: the manifest's default (10,000) is what the slide runs.
    expect(slideNeeds(registry, chapters(`<div class="live-terminal" id="d" data-demo="c10k" data-variant="threads"></div>`)).threads).toEqual({ count: 10000, where: ['01-x.html #d'] });
    expect(slideNeeds(registry, chapters(`<div class="live-terminal" data-demo="hello"></div>`))).toEqual({ connections: undefined, threads: undefined });
  });
});

describe('source fingerprints', () => {
  it('cover the demo’s folder (not its recordings) and the shared modules it imports', () => {
    expect(demoSources(join(ROOT, 'demos'), 'pizza')).toContain('shared/launch.py');
    expect(demoSources(join(ROOT, 'demos'), 'pizza')).toContain('pizza/demo.json');
    expect(demoSources(join(ROOT, 'demos'), 'hello').some((f) => f.startsWith('shared/') || f.includes('recordings'))).toBe(false);
  });

  it('name what changed, came or went', () => {
    const demos = temp();
    mkdirSync(join(demos, 'd', 'recordings'), { recursive: true });
    writeFileSync(join(demos, 'd', 'a.py'), 'import helper\n');
    writeFileSync(join(demos, 'd', 'b.py'), 'x = 1\n');
    writeFileSync(join(demos, 'd', 'recordings', 'v.cast'), '{}\n');
    mkdirSync(join(demos, 'shared'));
    writeFileSync(join(demos, 'shared', 'helper.py'), 'y = 2\n');
    const before = fingerprint(demos, 'd');
    expect(Object.keys(before)).toEqual(['d/a.py', 'd/b.py', 'shared/helper.py']);
    writeFileSync(join(demos, 'shared', 'helper.py'), 'y = 3\n');
    rmSync(join(demos, 'd', 'b.py'));
    writeFileSync(join(demos, 'd', 'c.py'), '');
    expect(compareFingerprints(before, fingerprint(demos, 'd'))).toEqual({ changed: ['shared/helper.py'], added: ['d/c.py'], removed: ['d/b.py'] });
  });
});

describe('change times', () => {
  it('in git: the last commit’s time, survives a fresh checkout’s mtimes; uncommitted changes go by mtime', () => {
    const repo = temp();
    const git = (args: string[], date?: string) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo, env: { ...process.env, ...(date ? { GIT_COMMITTER_DATE: date, GIT_AUTHOR_DATE: date } : {}) } });
    git(['init', '-q']);
    writeFileSync(join(repo, 'rec.cast'), '1');
    writeFileSync(join(repo, 'src.py'), '1');
    git(['add', '.']);
    git(['commit', '-qm', 'one'], '2026-01-01T00:00:00Z');
    writeFileSync(join(repo, 'src.py'), '2');
    git(['commit', '-qam', 'two'], '2026-02-01T00:00:00Z');
    // A checkout sets every mtime to now; the commits still tell the order.
    const now = new Date();
    utimesSync(join(repo, 'rec.cast'), now, now);
    let times = changeTimes(repo);
    expect(times(join(repo, 'rec.cast'))).toEqual({ t: Date.parse('2026-01-01T00:00:00Z'), how: 'committed' });
    expect(times(join(repo, 'src.py'))).toEqual({ t: Date.parse('2026-02-01T00:00:00Z'), how: 'committed' });
    writeFileSync(join(repo, 'rec.cast'), 're-recorded');
    times = changeTimes(repo);
    expect(times(join(repo, 'rec.cast'))?.how).toBe('modified');
    expect(times(join(repo, 'rec.cast'))!.t).toBeGreaterThan(Date.parse('2026-02-01T00:00:00Z'));
  });

  it('outside git: mtimes', () => {
    const dir = temp();
    writeFileSync(join(dir, 'f'), '');
    utimesSync(join(dir, 'f'), new Date('2026-03-03T00:00:00Z'), new Date('2026-03-03T00:00:00Z'));
    expect(changeTimes(dir)(join(dir, 'f'))).toEqual({ t: Date.parse('2026-03-03T00:00:00Z'), how: 'modified' });
  });
});

describe('limits and verdicts', () => {
  it('parses /proc/<pid>/limits', () => {
    const l = parseProcLimits(readFileSync(join(ROOT, 'tests/fixtures/metrics/proc-limits.txt'), 'utf8'));
    expect(l.get('Max open files')).toEqual({ soft: 256, hard: 4096 });
    expect(l.get('Max processes')).toEqual({ soft: 63711, hard: 63711 });
    expect(l.get('Max address space')).toEqual({ soft: Infinity, hard: Infinity });
  });

  it('an open-file limit it cannot read is no pass; one below the slide’s need fails', () => {
    const needs = { connections: { count: 10000, where: ['04-c10k.html #c10k-threads'] }, threads: undefined };
    expect(openFilesCheck(needs, {})).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^unknown/) as string, fix: expect.stringMatching(/"ulimit -Hn" must show at least 10,100/) as string });
    // A low soft limit under a high hard one is fine: the demo raises its own (on Linux; macOS also has kern.maxfilesperproc).
    if (process.platform === 'linux') expect(openFilesCheck(needs, { openFiles: { soft: 256, hard: Infinity } }).status).toBe('ok');
    expect(openFilesCheck(needs, { openFiles: { soft: 256, hard: 4096 } })).toMatchObject({ status: 'fail', detail: 'soft 256, hard 4,096: too low for the 10,000 connections of 04-c10k.html #c10k-threads (about 10,100 open files a process)' });
    expect(openFilesCheck({ connections: undefined, threads: undefined }, { openFiles: { soft: 256, hard: 256 } }).status).toBe('ok');
  });

  it('says Ready only when every check passed', () => {
    const c = (status: 'ok' | 'warn' | 'fail') => ({ id: status, title: status, status, detail: '' });
    expect(verdict(report([c('ok')], 2014))).toBe('Ready: npm start serves the talk on port 2014.');
    expect(verdict(report([c('ok'), c('warn')], 2014))).not.toMatch(/Ready/);
    expect(verdict(report([c('fail'), c('warn')], 2014))).toBe('Not ready: 1 check failed and 1 needs a look; each says above what to do.');
  });
});

describe('recordings made before fingerprints', () => {
  it('still parse: the header has no sources', () => {
    // hello's blocking run as recorded on 2026-11-26, before record wrote fingerprints
    const dir = join(ROOT, 'tests/fixtures/recordings');
    const r = parseRecording(readFileSync(join(dir, 'before-fingerprints.cast'), 'utf8'), readFileSync(join(dir, 'before-fingerprints.metrics.jsonl'), 'utf8'));
    expect(r.header.what_is_async.demo).toBe('hello');
    expect(r.header.what_is_async.sources).toBeUndefined();
  });
});

describe('the report on a terminal', () => {
  it('wraps long lines at spaces, continuations under their text, none past the width', () => {
    const text = `✓ open-file limit  ${'word '.repeat(30).trim()}`;
    const lines = wrap(text, 40, 19);
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.every((l) => l.length <= 40)).toBe(true);
    expect(lines.slice(1).every((l) => l.startsWith(' '.repeat(19)) && l[19] !== ' ')).toBe(true);
    expect(lines.join(' ').replace(/ +/g, ' ')).toBe(text.replace(/ +/g, ' '));
    expect(wrap('    short', 40, 6)).toEqual(['    short']);
    expect(wrap(`    ${'x '.repeat(30)}`.trimEnd(), 20, 6)[0]).toMatch(/^ {4}x x/); // an item keeps its indent
  });
});
