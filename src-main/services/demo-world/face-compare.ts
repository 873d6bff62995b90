// Comparing faces across pictures: the face region resampled into head units through the five landmarks (so the
// pose is undone) and relit by the light read from the picture itself (so a style's light is undone). What is
// left is the person: face shape, skin, eyes, brows, nose, mouth, glasses. The identity measurements of the
// method benchmark are distances between such crops.
import { apply } from './geometry.js';
import { faceFrameOf, surfacePoint } from './readout/face-frame.js';
import { checkImage, sampleAt, type RgbImage } from './readout/image.js';
import { predictedShade, readLight } from './readout/light.js';

/** The face region in head units: an ellipse inside every face outline of the world, hairline and jaw excluded. */
const REGION = { rx: 0.62, y0: -0.5, y1: 0.8 };
const FACE_DOME = { cy: 0.02, rx: 0.84, ry: 1.07 };

export interface FaceCrop {
  /** RGB (0–255 scale, relit), `grid` × `grid` points, NaN outside the face region. */
  values: Float32Array;
  grid: number;
}

/** The face region of a picture with known (or detected) landmarks, on a grid × grid lattice in head units. */
export function faceCrop(image: RgbImage, landmarks: readonly number[], grid = 32): FaceCrop {
  checkImage(image);
  const frame = faceFrameOf(landmarks);
  const light = readLight(image, frame);
  const values = new Float32Array(grid * grid * 3).fill(Number.NaN);
  const cy = (REGION.y0 + REGION.y1) / 2, ry = (REGION.y1 - REGION.y0) / 2;
  for (let b = 0; b < grid; b += 1) {
    for (let a = 0; a < grid; a += 1) {
      const x = -REGION.rx + ((a + 0.5) / grid) * 2 * REGION.rx;
      const y = REGION.y0 + ((b + 0.5) / grid) * (REGION.y1 - REGION.y0);
      if ((x / REGION.rx) ** 2 + ((y - cy) / ry) ** 2 > 1) continue;
      const p = surfacePoint(frame, x, y);
      const [px, py] = apply(frame.features, p.x, p.y);
      const c = sampleAt(image, px, py);
      const f = predictedShade(light.light, p.u, y, FACE_DOME, frame.roll);
      const k = (b * grid + a) * 3;
      for (let ch = 0; ch < 3; ch += 1) values[k + ch] = (c[ch] as number) / f;
    }
  }
  return { values, grid };
}

/** Root-mean-square difference (0–255 scale) between two crops over the points both have. */
export function faceDistance(a: FaceCrop, b: FaceCrop): number {
  if (a.grid !== b.grid) throw new RangeError(`expected crops of the same grid, received ${a.grid} and ${b.grid}`);
  let sum = 0, n = 0;
  for (let k = 0; k < a.values.length; k += 1) {
    const u = a.values[k] as number, v = b.values[k] as number;
    if (Number.isNaN(u) || Number.isNaN(v)) continue;
    sum += (u - v) ** 2;
    n += 1;
  }
  return n === 0 ? Number.NaN : Math.sqrt(sum / n);
}
