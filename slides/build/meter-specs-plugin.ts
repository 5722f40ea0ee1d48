// What each demo's meters show (demo.json "meters", shared/meter-spec.ts), written into the
// page as one JSON block, so the live deck, the static site and the print view draw the same
// figures without asking the server.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';
import { METER_SPECS_ELEMENT, type MeterSpecDecl } from '../../shared/meter-spec.js';

export function readMeterSpecs(demosDir: string): Record<string, MeterSpecDecl> {
  const specs: Record<string, MeterSpecDecl> = {};
  for (const id of readdirSync(demosDir).sort()) {
    const file = join(demosDir, id, 'demo.json');
    if (!existsSync(file)) continue;
    const meters = (JSON.parse(readFileSync(file, 'utf8')) as { meters?: MeterSpecDecl }).meters;
    if (meters) specs[id] = meters;
  }
  return specs;
}

export function meterSpecs(demosDir: string): Plugin {
  return {
    name: 'what-is-async:meter-specs',
    transformIndexHtml(html) {
      // JSON inside <script>: "<" escaped, so no text of a manifest can close the element.
      const json = JSON.stringify(readMeterSpecs(demosDir)).replace(/</g, '\\u003c');
      return html.replace('</head>', `<script type="application/json" id="${METER_SPECS_ELEMENT}">${json}</script>\n</head>`);
    },
    configureServer(server) {
      server.watcher.on('change', (file) => {
        if (file.startsWith(demosDir) && file.endsWith('demo.json')) server.ws.send({ type: 'full-reload' });
      });
    },
  };
}
