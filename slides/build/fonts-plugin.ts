// The deck's text face, Source Sans Pro (Adobe's own package), self-hosted as WOFF2 files
// subset to the characters the talk uses: the text of every chapter plus a fixed base set
// for what the runtime writes (names, numbers, the widgets' symbols). Each face's
// unicode-range is what its subset really holds, so a character the subset lacks is drawn
// by the fallback font and the font test names it. font-display: swap never hides text.
//
// `import 'virtual:deck-fonts.css'` gets the @font-face rules; the build preloads the two
// faces the title slide needs. The subsets are cached in node_modules/.cache by content.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as fontkit from 'fontkit';
import subsetFont from 'subset-font';
import type { Plugin } from 'vite';
import { decodeEntities } from '../../shared/slide-markup.js';

const VIRTUAL = 'virtual:deck-fonts.css';
const FAMILY = 'Source Sans Pro';

/** The faces reveal.js's black theme used, at the same weights, so the deck looks the same. */
const FACES = [
  { file: 'SourceSansPro-Regular.ttf', weight: 400, style: 'normal', preload: true },
  { file: 'SourceSansPro-It.ttf', weight: 400, style: 'italic', preload: false },
  { file: 'SourceSansPro-Semibold.ttf', weight: 600, style: 'normal', preload: true },
  { file: 'SourceSansPro-SemiboldIt.ttf', weight: 600, style: 'italic', preload: false },
] as const;

/** The OpenType features browsers apply to text by default; the rest (small caps, figure
 *  styles, stylistic sets) pull in glyphs the deck never shows and double a face's size. */
const FEATURES = ['kern', 'liga', 'calt', 'ccmp', 'locl', 'mark', 'mkmk'] as const;

/** What the runtime may write besides the chapters' text: all of Latin-1, common punctuation, the widgets' symbols. */
function baseCharacters(): string {
  let s = '';
  for (let c = 0x20; c <= 0x7e; c++) s += String.fromCodePoint(c);
  for (let c = 0xa0; c <= 0xff; c++) s += String.fromCodePoint(c);
  for (let c = 0x2010; c <= 0x2027; c++) s += String.fromCodePoint(c); // dashes, quotes, bullet, ellipsis
  return s + '‰′″‹›€™−×÷≈≤≥≠±→←↑↓↻▶■●✓✗❚─';
}

/** The characters a chapter can put on screen: its text, entities decoded, tags dropped. */
export function chapterCharacters(html: string): string {
  const text = decodeEntities(html.replace(/<!--[\s\S]*?-->/g, ' ').replace(/<[^>]*>/g, ' '));
  return [...new Set(text)].filter((c) => c.codePointAt(0)! >= 0x20).join('');
}

/** U+20-7E,U+A0-FF…: the code points, as CSS unicode-range ranges. */
export function unicodeRange(codePoints: number[]): string {
  const sorted = [...new Set(codePoints)].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    const hex = (n: number) => n.toString(16).toUpperCase();
    ranges.push(i === j ? `U+${hex(sorted[i]!)}` : `U+${hex(sorted[i]!)}-${hex(sorted[j]!)}`);
    i = j + 1;
  }
  return ranges.join(',');
}

async function writeFonts(chaptersDir: string, cacheRoot: string): Promise<string> {
  const require = createRequire(import.meta.url);
  const ttfDir = join(dirname(require.resolve('source-sans-pro/package.json')), 'TTF');
  const chapters = readdirSync(chaptersDir)
    .filter((f) => f.endsWith('.html'))
    .map((f) => chapterCharacters(readFileSync(join(chaptersDir, f), 'utf8')))
    .join('');
  const wanted = [...new Set(baseCharacters() + chapters)].sort().join('');
  const key = createHash('sha256').update(wanted).update(FACES.map((f) => f.file).join()).update(FEATURES.join()).digest('hex').slice(0, 12);
  const dir = join(cacheRoot, key);
  const css = join(dir, 'deck-fonts.css');
  if (existsSync(css)) return css;
  mkdirSync(dir, { recursive: true });
  const rules: string[] = [];
  for (const face of FACES) {
    const source = readFileSync(join(ttfDir, face.file));
    const font = fontkit.create(source) as fontkit.Font;
    const covered = [...wanted].map((c) => c.codePointAt(0)!).filter((cp) => font.hasGlyphForCodePoint(cp));
    const text = covered.map((cp) => String.fromCodePoint(cp)).join('');
    const name = `source-sans-pro-${face.weight}-${face.style}.woff2`;
    writeFileSync(join(dir, name), await subsetFont(source, text, { targetFormat: 'woff2', keepFeatures: [...FEATURES] }));
    rules.push(
      `@font-face {\n  font-family: '${FAMILY}';\n  font-style: ${face.style};\n  font-weight: ${face.weight};\n  font-display: swap;\n` +
        `  src: url(./${name}) format('woff2');\n  unicode-range: ${unicodeRange(covered)};\n}`,
    );
  }
  writeFileSync(css, `/* ${FAMILY}, subset to the deck's characters (slides/build/fonts-plugin.ts) */\n${rules.join('\n')}\n`);
  return css;
}

/** reveal.js's themes inline their fonts as base64 WOFF: drop those @font-face rules, ours replace them. */
function stripThemeFonts(): Plugin {
  return {
    name: 'what-is-async:strip-theme-fonts',
    enforce: 'pre',
    transform(code, id) {
      if (!/reveal\.js[\\/]dist[\\/]theme[\\/][^\\/]+\.css$/.test(id.split('?')[0]!)) return;
      return { code: code.replace(/@font-face\s*\{[^}]*\}/g, ''), map: null };
    },
  };
}

export function deckFonts(chaptersDir: string, cacheRoot: string): Plugin[] {
  let cssPath: Promise<string> | undefined;
  const generate = () => (cssPath ??= writeFonts(chaptersDir, cacheRoot));
  return [
    stripThemeFonts(),
    {
      name: 'what-is-async:deck-fonts',
      async resolveId(id) {
        if (id === VIRTUAL) return generate();
      },
      transformIndexHtml: {
        order: 'post',
        handler(_html, ctx) {
          // Preload the title slide's faces so they arrive with the script, not after it.
          if (!ctx.bundle) return;
          const wanted = FACES.filter((f) => f.preload).map((f) => `source-sans-pro-${f.weight}-${f.style}`);
          return Object.values(ctx.bundle)
            .filter((a) => a.type === 'asset' && a.fileName.endsWith('.woff2') && wanted.some((w) => a.fileName.includes(w)))
            .map((a) => ({ tag: 'link', attrs: { rel: 'preload', as: 'font', type: 'font/woff2', href: `./${a.fileName}`, crossorigin: '' }, injectTo: 'head' as const }));
        },
      },
    },
  ];
}
