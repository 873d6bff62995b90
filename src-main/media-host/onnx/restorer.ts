// CodeFormer / GFPGAN (exported to ONNX) as a FaceRestorer (finishing/restoration.ts does the alignment and
// the feathered paste-back). Both take the FFHQ-aligned 512 crop in [-1, 1] and return one in [-1, 1];
// CodeFormer has a second input, the fidelity weight w, which GFPGAN lacks.
import ort from 'onnxruntime-node';

import type { Pixels } from '../../common/protocol/media.js';
import type { FaceRestorer } from '../finishing/restoration.js';
import { MediaError } from '../media-error.js';
import type { CachedSession } from './sessions.js';
import { fromPlanar, type Normalisation, toPlanar } from './tensors.js';

const SIGNED: Normalisation = { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] };

export function onnxRestorer(cached: CachedSession, name: string, size = 512): FaceRestorer {
  const { session } = cached;
  return {
    name,
    size,
    async restore(face: Pixels, fidelity: number): Promise<Pixels> {
      const [image, weight] = session.inputNames;
      if (image === undefined) throw new MediaError('E_BAD_ARGUMENT', `expected ${name} to have an image input, received none`);
      const feeds: Record<string, ort.Tensor> = { [image]: toPlanar(face, SIGNED) };
      // CodeFormer exports declare w as a double scalar.
      if (weight !== undefined) feeds[weight] = new ort.Tensor('float64', Float64Array.of(fidelity), []);
      const out = await session.run(feeds);
      return fromPlanar(out[session.outputNames[0]!]!, SIGNED);
    },
  };
}
