// The talk is written one file per chapter (slides/chapters/NN-name.html); this plugin
// inlines them, in file-name order, where index.html says <!-- chapters -->, so the built
// deck is plain static HTML (printable, readable without the demo server).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';

const MARKER = '<!-- chapters -->';

export function chapters(dir: string): Plugin {
  const read = () =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.html'))
      .sort()
      .map((f) => `<!-- ${f} -->\n${readFileSync(join(dir, f), 'utf8')}`)
      .join('\n');
  return {
    name: 'what-is-async:chapters',
    transformIndexHtml: {
      order: 'pre',
      handler(html) {
        if (!html.includes(MARKER)) return html;
        return html.replace(MARKER, () => read());
      },
    },
    configureServer(server) {
      server.watcher.add(dir);
      server.watcher.on('all', (_event, file) => {
        if (file.startsWith(dir) && file.endsWith('.html')) server.ws.send({ type: 'full-reload' });
      });
    },
  };
}
