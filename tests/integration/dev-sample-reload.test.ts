// `npm run dev`: a presenter who edits a sample sees its slide change. A real Vite dev server
// with the deck's chapters plugin, over a throwaway chapter and sample: editing the sample
// sends the page a full reload, and the reloaded page shows the new code.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { chapters } from '../../slides/build/chapters-plugin.js';

describe('dev server: samples on slides', () => {
  it('reloads the page when a sample changes, and serves the new code', async () => {
    const { createServer } = await import('vite');
    const dir = mkdtempSync(join(tmpdir(), 'wia-dev-'));
    mkdirSync(join(dir, 'slides/chapters'), { recursive: true });
    mkdirSync(join(dir, 'demos/d'), { recursive: true });
    writeFileSync(join(dir, 'slides/index.html'), '<!doctype html><html><head></head><body><div class="slides"><!-- chapters --></div></body></html>');
    writeFileSync(join(dir, 'slides/chapters/01.html'), '<section><pre><code class="language-python" data-sample="d/s.py#f"></code></pre></section>');
    const sample = (v: string) => writeFileSync(join(dir, 'demos/d/s.py'), `# slide: f\ndef f():\n    return ${v}\n# end slide\n`);
    sample('"first"');
    const vite = await createServer({
      configFile: false,
      root: join(dir, 'slides'),
      logLevel: 'silent',
      plugins: [chapters(join(dir, 'slides/chapters'))],
      server: { port: 0, host: '127.0.0.1', strictPort: false },
    });
    try {
      await vite.listen();
      const url = vite.resolvedUrls!.local[0]!;
      expect(await (await fetch(url)).text()).toContain('return "first"');
      const hmr = new WebSocket(url.replace('http', 'ws'), 'vite-hmr');
      await new Promise((r, e) => hmr.once('open', r).once('error', e));
      const reloaded = new Promise<void>((resolve) =>
        hmr.on('message', (m) => {
          if ((JSON.parse(String(m)) as { type: string }).type === 'full-reload') resolve();
        }),
      );
      // The file watcher may not be watching yet: edit again (a new edit each time) until the
      // reload comes, as a presenter saving twice would.
      let seen = false;
      void reloaded.then(() => (seen = true));
      for (let edit = 1; !seen && edit <= 60; edit++) {
        sample(`"second"  # edit ${edit}`);
        await Promise.race([reloaded, new Promise((r) => setTimeout(r, 500))]);
      }
      expect(seen).toBe(true);
      const html = await (await fetch(url)).text();
      expect(html).toContain('return "second"');
      expect(html).not.toContain('"first"');
      hmr.close();
    } finally {
      await vite.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
