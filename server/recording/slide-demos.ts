// Which demo runs the deck's slides ask for: each distinct (demo, variant, parameters) gets
// a recording, so a replay shows the very run its slide would start.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SlideDemo {
  demo: string;
  variant: string | undefined;
  params: Record<string, number | boolean | string> | undefined;
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

const TERMINAL = /<div\b[^>]*\bclass="[^"]*\blive-terminal\b[^"]*"[^>]*>/g;
const MEASURE = /\bdata-measure="([a-z][a-z0-9-]*)\/([a-z][a-z0-9-]*)"/g;
const attr = (tag: string, name: string) => new RegExp(`\\bdata-${name}=(?:"([^"]*)"|'([^']*)')`).exec(tag)?.slice(1).find((v) => v !== undefined);
const plainAttr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

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
    for (const [tag] of html.matchAll(TERMINAL)) {
      const demo = attr(tag, 'demo');
      if (!demo) continue;
      const raw = attr(tag, 'params');
      let params: SlideDemo['params'];
      try {
        params = raw ? (JSON.parse(raw.replaceAll('&quot;', '"')) as SlideDemo['params']) : undefined;
      } catch {
        throw new Error(`${file}: data-params of a ${demo} terminal is not JSON: ${raw}`);
      }
      out.push({ file, id: plainAttr(tag, 'id'), demo, variant: attr(tag, 'variant'), params });
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
  return chapters(chaptersDir).flatMap(([file, html]) => [...html.matchAll(MEASURE)].map((m) => ({ file, demo: m[1]!, variant: m[2]! })));
}
