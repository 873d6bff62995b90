// One tfjs runtime per media host, on the WebAssembly backend: it needs no native build and no download, and
// runs the embedded face and super-resolution models about 20 times faster than tfjs's pure-JS CPU backend.
// Models load from the npm packages' own files (file:// router) and the .wasm from the local package.
// The wasm backend computes on the host's main thread, so model calls go through `exclusive`: one at a time,
// in arrival order, leaving the event loop free between calls for sharp work, cancels and other requests.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';

import { fileRouter } from './file-router.js';

export type Tf = typeof import('@tensorflow/tfjs-core');

const require = createRequire(import.meta.url);

/** The folder of an installed package, found from its entry point (some packages export no package.json). */
export function packageRoot(name: string): string {
  let dir = dirname(require.resolve(name));
  while (dirname(dir) !== dir) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
    dir = dirname(dir);
  }
  throw new Error(`expected the package ${name} in node_modules, received an entry point outside any package folder`);
}

export function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(join(packageRoot(name), 'package.json'), 'utf8')) as { version: string }).version;
}

/** The local folder of the wasm binaries, with the trailing separator tfjs expects. */
export function wasmFolder(): string {
  return join(packageRoot('@tensorflow/tfjs-backend-wasm'), 'dist') + sep;
}

export function requirePackage<T>(name: string): T {
  return require(name) as T;
}

let runtime: Promise<Tf> | undefined;

export function tfjs(): Promise<Tf> {
  runtime ??= (async () => {
    const tf = requirePackage<Tf>('@tensorflow/tfjs-core');
    const wasm = requirePackage<typeof import('@tensorflow/tfjs-backend-wasm')>('@tensorflow/tfjs-backend-wasm');
    // tfjs types a router as always returning a handler, but it calls every router and skips those returning null.
    tf.io.registerLoadRouter(fileRouter(tf) as Parameters<Tf['io']['registerLoadRouter']>[0]);
    wasm.setWasmPaths(wasmFolder());
    if (!(await tf.setBackend('wasm'))) throw new Error('expected the tfjs WebAssembly backend to initialise, but it did not');
    await tf.ready();
    return tf;
  })();
  return runtime;
}

let tail: Promise<unknown> = Promise.resolve();

export function exclusive<T>(work: () => Promise<T>): Promise<T> {
  const run = tail.then(work, work);
  tail = run.catch(() => undefined);
  return run;
}

/** Lets queued messages (a cancel, another request) through between long synchronous model calls. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
