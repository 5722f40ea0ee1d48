// Puts every demo's recordings into the site at recordings/<demo>/<file>, so the static
// build replays real runs with no demo server; in dev they are served from demos/ directly.
// recordings/index.json lists them ("<demo>/<file>"), so a live deck fetches ahead only the
// recordings that exist (for a fail-over), with no 404s.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';

const RECORDINGS_INDEX = 'recordings/index.json';
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
      const files = recordingFiles(demosDir);
      for (const r of files) {
        this.emitFile({ type: 'asset', fileName: `recordings/${r.demo}/${r.file}`, source: readFileSync(r.path) });
      }
      this.emitFile({ type: 'asset', fileName: RECORDINGS_INDEX, source: JSON.stringify(files.map((r) => `${r.demo}/${r.file}`)) });
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (req.url === `/${RECORDINGS_INDEX}`) {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify(recordingFiles(demosDir).map((r) => `${r.demo}/${r.file}`)));
          return;
        }
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
