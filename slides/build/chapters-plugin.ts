// The talk is written one file per chapter (slides/chapters/NN-name.html); this plugin
// inlines them, in file-name order, where index.html says <!-- chapters -->, so the built
// deck is plain static HTML (printable, readable without the demo server). Code blocks that
// name a sample or a recording are filled from those files at the same time
// (code-blocks.ts), so the code on a slide is the code that runs: in `npm run dev` an edit
// to a chapter, a sample or a recording reloads the deck.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Plugin } from 'vite';
import { fillCodeBlocks } from './code-blocks.js';

const MARKER = '<!-- chapters -->';

export interface ChaptersOptions {
  /** Where data-sample and data-output names are looked up (default: ../../demos from the chapters). */
  demosDir?: string;
}

/** The chapters, inlined and with their code blocks filled: what the deck's <div class="slides"> holds. */
export function readChapters(dir: string, demosDir: string): string {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.html'))
    .sort()
    .map((f) => {
      const html = readFileSync(join(dir, f), 'utf8');
      try {
        return `<!-- ${f} -->\n${fillCodeBlocks(html, demosDir)}`;
      } catch (err) {
        throw new Error(`slides/chapters/${f}: ${(err as Error).message}`);
      }
    })
    .join('\n');
}

export function chapters(dir: string, opts: ChaptersOptions = {}): Plugin {
  const demosDir = opts.demosDir ?? resolve(dir, '../../demos');
  const reloads = (file: string) =>
    (file.startsWith(dir) && file.endsWith('.html')) || (file.startsWith(demosDir) && /\.(py|cast)$/.test(file));
  return {
    name: 'what-is-async:chapters',
    transformIndexHtml: {
      order: 'pre',
      handler(html) {
        if (!html.includes(MARKER)) return html;
        const slides = readChapters(dir, demosDir);
        return html.replace(MARKER, () => slides);
      },
    },
    configureServer(server) {
      server.watcher.add([dir, demosDir]);
      server.watcher.on('all', (_event, file) => {
        if (reloads(file)) server.ws.send({ type: 'full-reload' });
      });
    },
  };
}
