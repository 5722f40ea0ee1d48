// Which demo runs the deck's slides ask for: each distinct (demo, variant, parameters) gets
// a recording, so a replay shows the very run its slide would start. The markup is read by
// shared/slide-markup.ts, as the deck itself reads it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSlideMarkup, type ParamValue } from '../../shared/slide-markup.js';

export interface SlideDemo {
  demo: string;
  variant: string | undefined;
  params: Record<string, ParamValue> | undefined;
}

/** One terminal on one slide, and where it is: for messages that send a person to it. */
export interface SlideTerminal extends SlideDemo {
  file: string;
  id: string | undefined;
}

/** A "measured here" slot (data-measure="demo/variant"): it shows a figure from that variant's recording. */
export interface MeasuredSlot {
  file: string;
  demo: string;
  variant: string;
}

function chapters(chaptersDir: string): [string, string][] {
  return readdirSync(chaptersDir)
    .filter((f) => f.endsWith('.html'))
    .sort()
    .map((f) => [f, readFileSync(join(chaptersDir, f), 'utf8')]);
}

/** Every terminal of every chapter, in deck order. */
export function slideTerminals(chaptersDir: string): SlideTerminal[] {
  const out: SlideTerminal[] = [];
  for (const [file, html] of chapters(chaptersDir)) {
    for (const t of readSlideMarkup(html).terminals) {
      if (!t.demo) continue;
      if (t.problems.length) throw new Error(`${file}:${t.line}: the ${t.demo} terminal: ${t.problems.join('; ')}`);
      out.push({ file, id: t.id, demo: t.demo, variant: t.variant, params: t.params });
    }
  }
  return out;
}

/** The distinct runs the slides ask for. */
export function slideDemos(chaptersDir: string): SlideDemo[] {
  const found = new Map<string, SlideDemo>();
  for (const { demo, variant, params } of slideTerminals(chaptersDir)) {
    const entry = { demo, variant, params };
    found.set(JSON.stringify(entry), entry);
  }
  return [...found.values()];
}

export function measuredSlots(chaptersDir: string): MeasuredSlot[] {
  return chapters(chaptersDir).flatMap(([file, html]) => readSlideMarkup(html).measured.map(({ demo, variant }) => ({ file, demo, variant })));
}
