/**
 * The generator's version, recorded with every dataset and every model trained on one. Bump it whenever any
 * seed's pixels, masks, landmarks, captions or attributes change (the determinism test's hashes catch that).
 */
export const WORLD_VERSION = 1;
