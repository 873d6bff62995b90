// Similarity alignment of a face to the standard ArcFace 112 x 112 template (METHOD.md §1.3): a least-squares
// fit of rotation, uniform scale and translation (what skimage's SimilarityTransform.estimate computes for 5
// points), then a bilinear warp with zero padding. Pixel centres sit on integer coordinates, as in skimage,
// OpenCV and kornia with align_corners=True.
import type { Pixels } from '../../common/protocol/media.js';

/** Eyes, nose tip, mouth corners, as seen in the image (insightface arcface_torch). */
export const ARCFACE_TEMPLATE: readonly number[] = [
  38.2946, 51.6963, 73.5318, 51.5014, 56.0252, 71.7366, 41.5493, 92.3655, 70.7299, 92.2041,
];

/** Row-major 2 x 3 [a, -b, tx, b, a, ty]. */
export type Similarity = [number, number, number, number, number, number];

export function templateFor(size: number): number[] {
  return ARCFACE_TEMPLATE.map((v) => (v * size) / 112);
}

/**
 * Least-squares similarity taking the points `from` onto `to` (x, y pairs). With both sets centred the
 * optimum is closed-form: a = Σ(x·u + y·v) / Σ(x² + y²), b = Σ(x·v − y·u) / Σ(x² + y²).
 */
export function estimateSimilarity(from: readonly number[], to: readonly number[]): Similarity {
  const n = from.length / 2;
  let fx = 0, fy = 0, tx = 0, ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[2 * i]! / n;
    fy += from[2 * i + 1]! / n;
    tx += to[2 * i]! / n;
    ty += to[2 * i + 1]! / n;
  }
  let dot = 0, cross = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const x = from[2 * i]! - fx, y = from[2 * i + 1]! - fy;
    const u = to[2 * i]! - tx, v = to[2 * i + 1]! - ty;
    dot += x * u + y * v;
    cross += x * v - y * u;
    norm += x * x + y * y;
  }
  if (norm === 0) throw new Error('expected distinct landmarks, received points that all coincide');
  const a = dot / norm, b = cross / norm;
  return [a, -b, tx - (a * fx - b * fy), b, a, ty - (b * fx + a * fy)];
}

export function applySimilarity(m: Similarity, points: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < points.length; i += 2) {
    const x = points[i]!, y = points[i + 1]!;
    out.push(m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]);
  }
  return out;
}

export function rmsDistance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 2) sum += (a[i]! - b[i]!) ** 2 + (a[i + 1]! - b[i + 1]!) ** 2;
  return Math.sqrt(sum / (a.length / 2));
}

/** size x size RGB: each output pixel samples the source at the inverse-mapped position (bilinear, zeros outside). */
export function warpSimilarity(source: Pixels, m: Similarity, size: number): Pixels {
  const [a, nb, tx, b, , ty] = m;
  const det = a * a + b * b;
  // Inverse of [[a, -b], [b, a]] is [[a, b], [-b, a]] / det.
  const ia = a / det, ib = -nb / det;
  const { width, height, channels, data } = source;
  const out = new Uint8Array(size * size * 3);
  const acc = [0, 0, 0];
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const dx = u - tx, dy = v - ty;
      const x = ia * dx + ib * dy;
      const y = -ib * dx + ia * dy;
      const x0 = Math.floor(x), y0 = Math.floor(y);
      const wx = x - x0, wy = y - y0;
      const taps = [
        [x0, y0, (1 - wx) * (1 - wy)],
        [x0 + 1, y0, wx * (1 - wy)],
        [x0, y0 + 1, (1 - wx) * wy],
        [x0 + 1, y0 + 1, wx * wy],
      ] as const;
      const at = (v * size + u) * 3;
      for (const [px, py, w] of taps) {
        if (w === 0 || px < 0 || py < 0 || px >= width || py >= height) continue;
        const from = (py * width + px) * channels;
        for (let c = 0; c < 3; c++) acc[c]! += w * data[from + c]!;
      }
      for (let c = 0; c < 3; c++) {
        out[at + c] = Math.round(acc[c]!);
        acc[c] = 0;
      }
    }
  }
  return { data: out, width: size, height: size, channels: 3 };
}
