// The interface's tests: the mask tools in Node, and the studio in Debian's Chromium (playwright-core) against a
// real studio server on a temp library. `npm run test:e2e`. The renderer is built once first (global-setup.ts).
import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two browsers and two engines at once would only fight over the build machine's two cores.
    fileParallelism: false,
  },
});
