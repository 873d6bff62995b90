// Locates files that ship beside the code (the built addon, bundled assets) from both the TypeScript sources
// (tests) and the compiled dist/ tree, by walking up from this file to the folder that holds them.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The nearest ancestor of this file (inclusive) containing `relative`, or undefined. */
export function findUp(relative: string): string | undefined {
  let dir = here;
  for (;;) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function addonPath(): string {
  const fromEnv = process.env['MAGICAPTURE_ADDON'];
  if (fromEnv) return resolve(fromEnv);
  const found = findUp(join('native', 'build', 'Release', 'magicapture.node'));
  if (!found) {
    throw new Error(
      'The MagiCapture engine is not built: expected native/build/Release/magicapture.node. Run `npm run build:native`.',
    );
  }
  return found;
}

/** The CLIP ViT-L/14 vocabulary bundled for single-file checkpoints, which carry no tokenizer. */
export function bundledTokenizerDir(): string {
  const found = findUp(join('assets', 'clip-tokenizer'));
  if (!found) throw new Error('The bundled CLIP tokenizer is missing: expected assets/clip-tokenizer.');
  return found;
}
