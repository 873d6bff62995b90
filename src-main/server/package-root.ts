// The installed package's root folder (where package.json, dist/ and dist-renderer/ are), found from this file
// whether it runs compiled (dist/src-main/server) or from the sources (tests run src-main/server directly).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: { dir: string; version: string } | undefined;

function find(): { dir: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'magicapture-studio') return { dir, version: typeof pkg.version === 'string' ? pkg.version : '0.0.0' };
    }
    const parent = dirname(dir);
    if (parent === dir) return { dir: process.cwd(), version: '0.0.0' };
    dir = parent;
  }
}

export function packageRoot(): string {
  cached ??= find();
  return cached.dir;
}

export function appVersion(): string {
  cached ??= find();
  return cached.version;
}
