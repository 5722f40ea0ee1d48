// The code on a slide is the code that runs: every code block of the deck is cut from a
// sample (or, for output, from a recording) at build time, and this fails when a slide shows
// code that no sample contains, names a region that is not there, or steps through lines the
// block does not have.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/server.js';
import { regionsOf, readSample, SampleError } from '../../slides/build/sample-regions.js';
import { fillCodeBlocks, type FilledBlock } from '../../slides/build/code-blocks.js';
import { readChapters } from '../../slides/build/chapters-plugin.js';
import { screenText } from '../../slides/build/recorded-output.js';

const CHAPTERS = join(ROOT, 'slides/chapters');
const DEMOS = join(ROOT, 'demos');

/** Every Python file under demos/, as lines with trailing spaces dropped. */
function allSamples(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const demo of readdirSync(DEMOS)) {
    let files: string[];
    try {
      files = readdirSync(join(DEMOS, demo)).filter((f) => f.endsWith('.py'));
    } catch {
      continue;
    }
    for (const f of files) out.set(`demos/${demo}/${f}`, readFileSync(join(DEMOS, demo, f), 'utf8').split('\n').map((l) => l.trimEnd()));
  }
  return out;
}

/**
 * Does `file` contain `shown` as a run of lines, read independently of the build's code:
 * each shown line is a file line less a common indent; a blank shown line stands for one or
 * more blank file lines (the build shows PEP 8's two as one).
 */
function contains(file: string[], shown: string[]): boolean {
  for (let start = 0; start < file.length; start++) {
    const indent = /^ */.exec(file[start]!)![0].length;
    let at = start;
    let ok = true;
    for (const line of shown) {
      if (line === '') {
        if (file[at] !== '') {
          ok = false;
          break;
        }
        while (file[at] === '') at++;
        continue;
      }
      const f = file[at];
      if (f === undefined || f.slice(0, indent).trim() !== '' || f.slice(indent) !== line) {
        ok = false;
        break;
      }
      at++;
    }
    if (ok) return true;
  }
  return false;
}

describe('sample regions', () => {
  it('cuts a marked region, dedented, markers dropped, blank runs shown as one', () => {
    const src = ['import x', '', 'class A:', '    # slide: m', '    def m(self):', '        return 1', '', '', '    def n(self):', '        pass', '    # end slide', ''].join('\n');
    const r = regionsOf(src, 'a.py').get('m')!;
    expect(r.text).toBe('def m(self):\n    return 1\n\ndef n(self):\n    pass');
    expect([r.first, r.last]).toEqual([5, 10]);
  });

  it('refuses unclosed, nested, repeated and stray markers, naming the file and line', () => {
    expect(() => regionsOf('# slide: a\nx = 1\n', 'a.py')).toThrow(/a\.py:1: region "a" has no "# end slide"/);
    expect(() => regionsOf('# slide: a\n# slide: b\n# end slide\n', 'a.py')).toThrow(/a\.py:2: region "b" starts inside region "a"/);
    expect(() => regionsOf('# slide: a\nx\n# end slide\n# slide: a\ny\n# end slide\n', 'a.py')).toThrow(/a second region named "a"/);
    expect(() => regionsOf('x\n# end slide\n', 'a.py')).toThrow(/a\.py:2: "# end slide" with no region open/);
  });

  it('says what is wrong with a data-sample name, and which regions a file has', () => {
    expect(() => readSample(DEMOS, 'races/races.py#nope')).toThrow(/demos\/races\/races\.py has no region "nope" \(it has threads, /);
    expect(() => readSample(DEMOS, 'races/missing.py')).toThrow(/there is no demos\/races\/missing\.py/);
    expect(() => readSample(DEMOS, '../etc/passwd')).toThrow(SampleError);
  });

  it('refuses highlight steps that name lines the block does not have', () => {
    const html = '<pre><code class="language-python" data-sample="races/races.py#coroutines" data-line-numbers="1|9"></code></pre>';
    expect(() => fillCodeBlocks(html, DEMOS)).toThrow(/data-line-numbers="1\|9" names line 9, but the block has 5 lines/);
  });

  it('fills a block from the sample as it is now: an edited sample changes the slide', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wia-samples-'));
    try {
      mkdirSync(join(dir, 'chapters'));
      mkdirSync(join(dir, 'demos/d'), { recursive: true });
      writeFileSync(join(dir, 'chapters/01.html'), '<section><pre><code class="language-python" data-sample="d/s.py#f">old text</code></pre></section>');
      const sample = (body: string) => writeFileSync(join(dir, 'demos/d/s.py'), `# slide: f\ndef f():\n    return ${body}\n# end slide\n`);
      sample('"<1>"');
      const before = readChapters(join(dir, 'chapters'), join(dir, 'demos'));
      expect(before).toContain('def f():\n    return "&lt;1&gt;"</code>');
      expect(before).toContain('data-shows="s.py · lines 2–3"');
      expect(before).not.toContain('old text');
      sample('2');
      expect(readChapters(join(dir, 'chapters'), join(dir, 'demos'))).toContain('    return 2</code>');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the deck’s code blocks', () => {
  const filled: FilledBlock[] = [];
  const html = readdirSync(CHAPTERS)
    .filter((f) => f.endsWith('.html'))
    .map((f) => fillCodeBlocks(readFileSync(join(CHAPTERS, f), 'utf8'), DEMOS, filled))
    .join('\n');

  it('every Python block on a slide names the sample it shows', () => {
    const blocks = [...html.matchAll(/<code\b[^>]*class="[^"]*language-python[^"]*"[^>]*>/g)].map((m) => m[0]);
    expect(blocks.length).toBeGreaterThanOrEqual(12);
    expect(blocks.filter((b) => !b.includes('data-sample='))).toEqual([]);
    // …and no other code block is typed into a chapter: output comes from a recording.
    const others = [...html.matchAll(/<pre\b[^>]*>\s*<code\b([^>]*)>/g)].filter((m) => !/data-(sample|output)=/.test(m[1]!));
    expect(others.map((m) => m[0])).toEqual([]);
  });

  it('every block shows lines some sample really contains', () => {
    const samples = allSamples();
    const orphans = filled
      .filter((b) => b.file.endsWith('.py'))
      .filter((b) => ![...samples.values()].some((lines) => contains(lines, b.text.split('\n'))))
      .map((b) => b.ref);
    expect(orphans).toEqual([]);
    // The check itself can fail: a line no sample has is caught.
    const tampered = `${filled[0]!.text}\nprint("typed into the slide")`;
    expect([...samples.values()].some((lines) => contains(lines, tampered.split('\n')))).toBe(false);
  });

  it('every output block shows lines its recording printed', () => {
    const outputs = filled.filter((b) => b.file.endsWith('.cast'));
    expect(outputs.length).toBeGreaterThan(0);
    for (const b of outputs) {
      const { lines } = screenText(readFileSync(join(ROOT, b.file), 'utf8'));
      expect(lines.join('\n'), b.ref).toContain(b.text);
    }
  });
});
