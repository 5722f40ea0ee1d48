import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { resolve, dirname } from 'node:path';
import { chapters } from './slides/build/chapters-plugin.js';
import { recordings } from './slides/build/recordings-plugin.js';
import { deckFonts } from './slides/build/fonts-plugin.js';
import { meterSpecs } from './slides/build/meter-specs-plugin.js';
import { serverMetaTag } from './shared/wire.js';

const root = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: resolve(root, 'slides'),
  // Relative asset paths: the built deck works from any folder or sub-path.
  base: './',
  publicDir: false,
  plugins: [chapters(resolve(root, 'slides/chapters')), recordings(resolve(root, 'demos')), meterSpecs(resolve(root, 'demos')),
    deckFonts(resolve(root, 'slides/chapters'), resolve(root, 'node_modules/.cache/deck-fonts')),
    // `npm run dev` is always served by the demo server: mark the deck as live there too.
    { name: 'what-is-async:dev-server-meta', apply: 'serve', transformIndexHtml: (html) => html.replace('</head>', `${serverMetaTag()}\n</head>`) },
  ],
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    fs: { allow: [root] },
  },
});
