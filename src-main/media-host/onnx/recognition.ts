// ArcFace recognition (insightface R100/R50): a face aligned to the 112 x 112 template (faces/alignment.ts),
// RGB normalised to [-1, 1], gives a 512-value embedding; it is L2-normalised so cosine similarity is a dot.
import type { Pixels } from '../../common/protocol/media.js';
import { MediaError } from '../media-error.js';
import { type CachedSession, runSingle } from './sessions.js';
import { ARCFACE, toPlanar } from './tensors.js';

export const ARCFACE_SIDE = 112;

export async function arcfaceEmbedding(cached: CachedSession, aligned: Pixels): Promise<number[]> {
  if (aligned.width !== ARCFACE_SIDE || aligned.height !== ARCFACE_SIDE) {
    throw new MediaError('E_BAD_ARGUMENT', `expected a ${ARCFACE_SIDE} x ${ARCFACE_SIDE} aligned face, received ${aligned.width} x ${aligned.height}`, 'Align the face with faces.align at size 112 first.');
  }
  const out = await runSingle(cached, toPlanar(aligned, ARCFACE), 'the recognition model');
  if (out.dims.length !== 2 || out.dims[0] !== 1) throw new MediaError('E_BAD_ARGUMENT', `expected an embedding [1, D], received [${out.dims.join(', ')}]`);
  const values = Array.from(out.data as Float32Array);
  const norm = Math.hypot(...values);
  if (!(norm > 0)) throw new MediaError('E_INTERNAL', 'expected a non-zero embedding, received all zeros');
  return values.map((v) => v / norm);
}
