// A run's photos and masks as the trainer takes them, decoded exactly as `magicapture train` decodes folders
// (cli/training-inputs.ts: cover-crop to a square at the run's resolution, planar floats in [0, 1]), so a run made
// in the studio and one made with the CLI see the same pixels. sharp decodes on libuv's threads; only the
// planar copy runs on the broker's loop, a few milliseconds per 512 px photo.
import { decodePair } from '../../../cli/training-inputs.js';
import type { TrainImage } from '../../../common/protocol/engine.js';
import type { Library } from '../../library/library.js';
import type { TrainingRunConfig } from './training-run-config.js';

export interface TrainingImages {
  sources: TrainImage[];
  references: TrainImage[];
}

export async function loadTrainingImages(library: Library, config: TrainingRunConfig): Promise<TrainingImages> {
  const images: TrainingImages = { sources: [], references: [] };
  for (const input of config.inputs) {
    const image = { name: input.name, path: library.filePath(input.imageBlob) };
    const mask = { name: `mask of ${input.name}`, path: library.filePath(input.maskBlob) };
    const pair = await decodePair(image, mask, input.role === 'source' ? 'source' : 'reference', config.resolution);
    (input.role === 'source' ? images.sources : images.references).push({ image: pair.image, faceMask: pair.faceMask });
  }
  return images;
}
