// Builds the renderer into dist-renderer/ once before the browser tests, so they test the code as it is now.
import { existsSync } from 'node:fs';

import { build } from 'vite';

import { chromiumPath } from './browser.js';

export default async function setup(): Promise<void> {
  if (!existsSync(chromiumPath)) return;
  const started = Date.now();
  // Vitest sets NODE_ENV=test, which would bundle React's development build: build as `npm run build:renderer` does.
  const env = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({ configFile: new URL('../../vite.config.ts', import.meta.url).pathname, mode: 'production', logLevel: 'warn' });
  } finally {
    process.env['NODE_ENV'] = env;
  }
  console.log(`[e2e] renderer built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
