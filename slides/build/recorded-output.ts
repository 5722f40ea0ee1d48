// What a program printed, cut from its recording: a slide that shows a traceback or a
// result line shows the one a real run printed (<code data-output="one-fetch/callbacks"
// data-from="^Traceback" data-to="^ValueError">), not one typed into the slide.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SampleError } from './sample-regions.js';
import { screenText } from '../runtime/screen-text.js';

export { screenText };

export interface Excerpt {
  text: string;
  /** demos/one-fetch/recordings/callbacks.cast */
  file: string;
  /** "recorded 2026-11-26, Python 3.11.7" */
  recorded: string;
}

/** Lines from the first that matches `from` to the next that matches `to` (both kept). */
export function readOutput(demosDir: string, ref: string, from: string, to: string): Excerpt {
  const m = /^([a-z][a-z0-9-]*)\/([a-z][a-z0-9-]*(?:@[A-Za-z0-9=.,_-]+)?)$/.exec(ref);
  if (!m) throw new SampleError(`data-output="${ref}": expected "demo/variant" or "demo/variant@param=value,…"`);
  const file = `demos/${m[1]}/recordings/${m[2]}.cast`;
  let cast: string;
  try {
    cast = readFileSync(join(demosDir, m[1]!, 'recordings', `${m[2]}.cast`), 'utf8');
  } catch {
    throw new SampleError(`data-output="${ref}": there is no ${file}; record it with: npm run record -- ${m[1]} ${m[2]!.split('@')[0]}`);
  }
  const { header, lines } = screenText(cast);
  const start = lines.findIndex((l) => new RegExp(from).test(l));
  if (start < 0) throw new SampleError(`data-output="${ref}": no line of ${file} matches data-from="${from}"`);
  const endAt = lines.findIndex((l, i) => i >= start && new RegExp(to).test(l));
  if (endAt < 0) throw new SampleError(`data-output="${ref}": no line of ${file} after "${lines[start]}" matches data-to="${to}"`);
  const on = header.what_is_async.recordedOn;
  return { text: lines.slice(start, endAt + 1).join('\n'), file, recorded: `recorded ${on.date.slice(0, 10)}, Python ${on.python}` };
}
