// Which demo runs the deck's slides ask for: each distinct (demo, variant, parameters) gets
// a recording, so a replay shows the very run its slide would start.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SlideDemo {
  demo: string;
  variant: string | undefined;
  params: Record<string, number | boolean | string> | undefined;
}

const TERMINAL = /<div\b[^>]*\bclass="[^"]*\blive-terminal\b[^"]*"[^>]*>/g;
const attr = (tag: string, name: string) => new RegExp(`\\bdata-${name}=(?:"([^"]*)"|'([^']*)')`).exec(tag)?.slice(1).find((v) => v !== undefined);

export function slideDemos(chaptersDir: string): SlideDemo[] {
  const found = new Map<string, SlideDemo>();
  for (const file of readdirSync(chaptersDir).filter((f) => f.endsWith('.html'))) {
    for (const [tag] of readFileSync(join(chaptersDir, file), 'utf8').matchAll(TERMINAL)) {
      const demo = attr(tag, 'demo');
      if (!demo) continue;
      const raw = attr(tag, 'params');
      let params: SlideDemo['params'];
      try {
        params = raw ? (JSON.parse(raw.replaceAll('&quot;', '"')) as SlideDemo['params']) : undefined;
      } catch {
        throw new Error(`${file}: data-params of a ${demo} terminal is not JSON: ${raw}`);
      }
      const entry = { demo, variant: attr(tag, 'variant'), params };
      found.set(JSON.stringify(entry), entry);
    }
  }
  return [...found.values()];
}
