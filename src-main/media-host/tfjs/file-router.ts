// tfjs loads models through fetch, and Node's fetch refuses file: URLs. This router serves model.json plus its
// weight shards from disk, keeping every field of model.json: graph models need their `signature` (without it
// faceres silently loses its 1024-d descriptor output) and layers models their topology.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { io } from '@tensorflow/tfjs-core';

type Tf = typeof import('@tensorflow/tfjs-core');

export function fileRouter(tf: Tf): (url: string | string[]) => io.IOHandler | null {
  return (url) => {
    const first = Array.isArray(url) ? url[0] : url;
    if (typeof first !== 'string' || !first.startsWith('file://')) return null;
    const path = fileURLToPath(first);
    return {
      async load() {
        const json = JSON.parse(await readFile(path, 'utf8')) as io.ModelJSON;
        return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
          const specs = manifest.flatMap((group) => group.weights);
          const shards = await Promise.all(manifest.flatMap((group) => group.paths).map((p) => readFile(join(dirname(path), p))));
          const all = Buffer.concat(shards);
          return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)];
        });
      },
    };
  };
}
