// Fills the deck's code blocks from the files they show, at build time (and on every
// reload in `npm run dev`):
//   <pre><code class="language-python" data-sample="races/races.py#increment"
//              data-line-numbers="1-3|4"></code></pre>
// gets the region's code; <code data-output="one-fetch/callbacks" data-from=… data-to=…>
// gets lines a recorded run printed. Each <pre> is labelled with where its text came from.
// Whatever the chapter file had between the tags is replaced.
import { basename } from 'node:path';
import { readSample, SampleError } from './sample-regions.js';
import { readOutput } from './recorded-output.js';

const BLOCK = /<pre\b([^>]*)>\s*<code\b([^>]*)>[\s\S]*?<\/code>\s*<\/pre>/g;

function attr(attrs: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}="([^"]*)"`).exec(attrs);
  return m ? m[1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&') : undefined;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(text: string): string {
  return escapeHtml(text).replace(/"/g, '&quot;');
}

/** Every highlight step of data-line-numbers must name lines the block has. */
function checkSteps(steps: string | undefined, lineCount: number, what: string): void {
  if (!steps) return;
  for (const step of steps.split('|')) {
    for (const part of step.split(',')) {
      if (part.trim() === '') continue;
      const [a, b] = part.split('-').map((n) => Number(n));
      for (const n of [a, b]) {
        if (n !== undefined && !(Number.isInteger(n) && n >= 1 && n <= lineCount)) {
          throw new SampleError(`${what}: data-line-numbers="${steps}" names line ${String(n)}, but the block has ${lineCount} lines`);
        }
      }
    }
  }
}

export interface FilledBlock {
  /** data-sample or data-output, as written on the slide */
  ref: string;
  file: string;
  text: string;
}

/** Replaces the content of every sample and output block in `html`; throws a SampleError naming the block on any mistake. */
export function fillCodeBlocks(html: string, demosDir: string, filled: FilledBlock[] = []): string {
  return html.replace(BLOCK, (whole, preAttrs: string, codeAttrs: string) => {
    const sample = attr(codeAttrs, 'data-sample');
    const output = attr(codeAttrs, 'data-output');
    if (!sample && !output) return whole;
    let text: string;
    let label: string;
    let file: string;
    if (sample) {
      const r = readSample(demosDir, sample);
      text = r.text;
      file = r.file;
      label = `${basename(r.file)} · ${r.first === r.last ? `line ${r.first}` : `lines ${r.first}–${r.last}`}`;
    } else {
      const from = attr(codeAttrs, 'data-from') ?? '.';
      const to = attr(codeAttrs, 'data-to') ?? '$^';
      const o = readOutput(demosDir, output!, from, to);
      text = o.text;
      file = o.file;
      label = `printed by a real run · ${o.recorded}`;
    }
    checkSteps(attr(codeAttrs, 'data-line-numbers'), text.split('\n').length, `data-${sample ? `sample="${sample}"` : `output="${output}"`}`);
    filled.push({ ref: (sample ?? output)!, file, text });
    const pre = `${preAttrs} data-shows="${escapeAttr(label)}" data-file="${escapeAttr(file)}"`;
    return `<pre${pre}><code${codeAttrs}>${escapeHtml(text)}</code></pre>`;
  });
}
