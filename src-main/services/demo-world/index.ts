// The portrait world: seeded people and styles, rendered with exact face masks, landmarks and captions, and the
// read-outs that recover attributes from pixels. See README.md.
export * from './attributes.js';
export { captionOf } from './caption.js';
export {
  identityOf, makeDataset, matchesCombination, splitOf, styleOf,
  type DatasetOptions, type DatasetSample, type HeldOutCombination, type Split,
} from './dataset.js';
export { faceCrop, faceDistance, type FaceCrop } from './face-compare.js';
export { readAttributes, type ReadAttributes, type ReadoutHints } from './readout/read-attributes.js';
export type { RgbImage } from './readout/image.js';
export { recordOf, render, type RenderOptions, type Sample } from './render.js';
export { Rng } from './rng.js';
export { WORLD_VERSION } from './version.js';
export { POSE_LIMITS, samplePose, sampleIdentity, sampleStyle } from './sampling.js';
