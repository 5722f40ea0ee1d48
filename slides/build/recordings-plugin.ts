// Puts every demo's recordings into the site at recordings/<demo>/<file>, so the static
// build replays real runs with no demo server; in dev they are served from demos/ directly.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';

const FILE = /^[a-z][a-z0-9-]*(@[A-Za-z0-9=.,_-]+)?\.(cast|metrics\.jsonl)$/;

function recordingFiles(demosDir: string): { demo: string; file: string; path: string }[] {
  if (!existsSync(demosDir)) return [];
  return readdirSync(demosDir).flatMap((demo) => {
    const dir = join(demosDir, demo, 'recordings');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => FILE.test(f))
      .map((file) => ({ demo, file, path: join(dir, file) }));
  });
}

export function recordings(demosDir: string): Plugin {
  return {
    name: 'what-is-async:recordings',
    generateBundle() {
      for (const r of recordingFiles(demosDir)) {
        this.emitFile({ type: 'asset', fileName: `recordings/${r.demo}/${r.file}`, source: readFileSync(r.path) });
      }
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = /^\/recordings\/([a-z][a-z0-9-]*)\/([^/?]+)/.exec(req.url ?? '');
        if (!m || !FILE.test(decodeURIComponent(m[2]!))) return next();
        const path = join(demosDir, m[1]!, 'recordings', decodeURIComponent(m[2]!));
        if (!existsSync(path)) return next();
        res.setHeader('content-type', m[2]!.endsWith('.cast') ? 'application/x-asciicast' : 'application/jsonl');
        res.end(readFileSync(path));
      });
    },
  };
}
