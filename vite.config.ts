// Builds the renderer (src-renderer/) into dist-renderer/, which the studio server and Electron's studio://app/ both serve.
// Relative asset paths (base './') so the same bundle works at http://host:port/ and at studio://app/.
import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./src-renderer', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist-renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
    // The CSP allows no inline script: never inline the module-preload helper as a separate inline tag.
    modulePreload: { polyfill: false },
  },
  logLevel: 'warn',
});
