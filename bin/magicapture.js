#!/usr/bin/env node
// Entry point of `npx magicapture`: runs the compiled CLI (npm run build:ts writes dist/).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'src-main', 'cli', 'index.js');
if (!existsSync(cli)) {
  console.error('magicapture: the CLI is not built yet. Run `npm run build` (or ./scripts/setup.sh) first.');
  process.exit(2);
}
const { main } = await import(pathToFileURL(cli).href);
process.exitCode = await main(process.argv.slice(2));
