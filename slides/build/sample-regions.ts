// The code on a slide is cut from the sample that runs. A sample marks what a slide shows:
//
//     # slide: increment
//     def increment():
//         ...
//     # end slide
//
// and a slide names it: <code data-sample="races/races.py#increment">. A name without
// "#region" means the whole file. The marker lines themselves are never shown.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const START = /^\s*# slide: ([a-z][a-z0-9-]*)\s*$/;
const END = /^\s*# end slide\s*$/;

export interface Region {
  /** The shown code: the region's lines, dedented, without trailing blank lines. */
  text: string;
  /** The file, relative to the project (demos/races/races.py). */
  file: string;
  /** 1-based line numbers in the file of the first and last shown line. */
  first: number;
  last: number;
}

export class SampleError extends Error {}

/** All regions of one sample file, by name; throws on unclosed, nested or repeated markers. */
export function regionsOf(source: string, file: string): Map<string, Region> {
  const lines = source.split('\n');
  const found = new Map<string, Region>();
  let open: { name: string; at: number } | undefined;
  lines.forEach((line, i) => {
    const start = START.exec(line);
    if (start) {
      if (open) throw new SampleError(`${file}:${i + 1}: region "${start[1]}" starts inside region "${open.name}" (line ${open.at + 1}); regions do not nest`);
      if (found.has(start[1]!)) throw new SampleError(`${file}:${i + 1}: a second region named "${start[1]}"`);
      open = { name: start[1]!, at: i };
      return;
    }
    if (END.test(line)) {
      if (!open) throw new SampleError(`${file}:${i + 1}: "# end slide" with no region open`);
      found.set(open.name, cut(lines, open.at + 1, i, file, open.name));
      open = undefined;
    }
  });
  if (open) throw new SampleError(`${file}:${open.at + 1}: region "${open.name}" has no "# end slide"`);
  return found;
}

/**
 * Lines [from, to) of the file, dedented; blank lines at either end dropped, and a run of
 * blank lines shown as one (PEP 8's two blank lines cost a slide a line each).
 */
function cut(lines: string[], from: number, to: number, file: string, name: string): Region {
  while (from < to && lines[from]!.trim() === '') from++;
  while (to > from && lines[to - 1]!.trim() === '') to--;
  if (from === to) throw new SampleError(`${file}: region "${name}" is empty`);
  const body = lines.slice(from, to);
  const indent = Math.min(...body.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
  const shown = body.map((l) => l.slice(indent).trimEnd()).filter((l, i, all) => l !== '' || all[i - 1] !== '');
  return { text: shown.join('\n'), file, first: from + 1, last: to };
}

/** The code a `data-sample="demo/file.py#region"` names, read from `demosDir` now. */
export function readSample(demosDir: string, ref: string, projectRoot = join(demosDir, '..')): Region {
  const m = /^([a-z][a-z0-9-]*\/[A-Za-z0-9_.-]+\.py)(?:#([a-z][a-z0-9-]*))?$/.exec(ref);
  if (!m) throw new SampleError(`data-sample="${ref}": expected "demo/file.py" or "demo/file.py#region"`);
  const path = join(demosDir, m[1]!);
  const file = relative(projectRoot, path);
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch {
    throw new SampleError(`data-sample="${ref}": there is no ${file}`);
  }
  if (!m[2]) {
    const lines = source.replace(/\n+$/, '').split('\n');
    return { text: lines.map((l) => l.trimEnd()).join('\n'), file, first: 1, last: lines.length };
  }
  const regions = regionsOf(source, file);
  const region = regions.get(m[2]);
  if (!region) {
    const names = [...regions.keys()];
    throw new SampleError(`data-sample="${ref}": ${file} has no region "${m[2]}" (${names.length ? `it has ${names.join(', ')}` : 'it marks none: add "# slide: name" … "# end slide"'})`);
  }
  return region;
}
