import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { resolve, dirname } from 'node:path';
import { chapters } from './slides/build/chapters-plugin.js';

const root = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: resolve(root, 'slides'),
  // Relative asset paths: the built deck works from any folder or sub-path.
  base: './',
  publicDir: false,
  plugins: [chapters(resolve(root, 'slides/chapters'))],
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    fs: { allow: [root] },
  },
});
