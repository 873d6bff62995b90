// Face restoration (CodeFormer, GFPGAN) as the photographer-installed ONNX models will plug in: the model only
// ever sees the face aligned to the FFHQ 512 template, and the restored crop is pasted back through the inverse
// warp with a feathered alpha, so nothing outside the face changes and no crop edge shows. The model side is
// the FaceRestorer interface; the ONNX implementation arrives with the model manager (issue 6, item 5), and the
// paste-back here is model-independent and tested with stand-in restorers.
import sharp from 'sharp';

import type { Pixels } from '../../common/protocol/media.js';
import { estimateSimilarity, type Similarity, warpSimilarity } from '../faces/alignment.js';

/** facexlib's FFHQ face template at 512 px (eyes, nose tip, mouth corners), which CodeFormer and GFPGAN expect. */
export const FFHQ_TEMPLATE_512: readonly number[] = [
  192.98138, 239.94708, 318.90277, 240.1936, 256.63416, 314.01935, 201.26117, 371.41043, 313.08905, 371.15118,
];

export interface FaceRestorer {
  /** Model name and hash, recorded in the recipe. */
  readonly name: string;
  /** Side of the square aligned crop the model takes (512 for CodeFormer and GFPGAN v1.4). */
  readonly size: number;
  /** fidelity 0..1: CodeFormer's w (1 keeps closest to the input); models without such an input ignore it. */
  restore(face: Pixels, fidelity: number): Promise<Pixels>;
}

export interface RestoreOptions {
  fidelity: number;
  /** How much of the restored face replaces the original, 0..1 (1 = all of it inside the feather). */
  strength?: number;
}

/** The crop's alpha: opaque inside, fading to 0 over the outer ~6% so the pasted square has no edge. */
async function featherMask(size: number): Promise<Float32Array> {
  const inset = Math.round(size * 0.06);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="100%" height="100%" fill="#000"/><rect x="${inset}" y="${inset}" width="${size - 2 * inset}" height="${size - 2 * inset}" fill="#fff"/></svg>`;
  const grey = await sharp(Buffer.from(svg)).blur(inset / 2.5).extractChannel(0).raw().toBuffer();
  return Float32Array.from(grey, (v) => v / 255);
}

function bilinear(data: ArrayLike<number>, width: number, height: number, channels: number, x: number, y: number, c: number): number {
  const x0 = Math.max(0, Math.min(width - 1, Math.floor(x))), y0 = Math.max(0, Math.min(height - 1, Math.floor(y)));
  const x1 = Math.min(width - 1, x0 + 1), y1 = Math.min(height - 1, y0 + 1);
  const wx = Math.max(0, Math.min(1, x - x0)), wy = Math.max(0, Math.min(1, y - y0));
  const at = (px: number, py: number) => data[(py * width + px) * channels + c] as number;
  return (at(x0, y0) * (1 - wx) + at(x1, y0) * wx) * (1 - wy) + (at(x0, y1) * (1 - wx) + at(x1, y1) * wx) * wy;
}

/** Pastes `restored` (in crop space of `m`) over `image` with `alpha`, in place; only the crop's footprint is visited. */
function pasteBack(image: Pixels, restored: Pixels, alpha: Float32Array, m: Similarity, strength: number): void {
  const { width, height, channels, data } = image;
  const size = restored.width;
  const [a, nb, tx, b, , ty] = m;
  const det = a * a + b * b;
  const corners = [[0, 0], [size, 0], [0, size], [size, size]].map(([u, v]) => [(a * (u! - tx) + b * (v! - ty)) / det, (-b * (u! - tx) + a * (v! - ty)) / det]);
  const xs = corners.map((p) => p[0]!), ys = corners.map((p) => p[1]!);
  for (let y = Math.max(0, Math.floor(Math.min(...ys))); y <= Math.min(height - 1, Math.ceil(Math.max(...ys))); y++) {
    for (let x = Math.max(0, Math.floor(Math.min(...xs))); x <= Math.min(width - 1, Math.ceil(Math.max(...xs))); x++) {
      const u = a * x + nb * y + tx, v = b * x + a * y + ty;
      if (u < 0 || v < 0 || u > size - 1 || v > size - 1) continue;
      const w = strength * bilinear(alpha, size, size, 1, u, v, 0);
      if (w <= 0) continue;
      for (let c = 0; c < 3; c++) {
        const k = (y * width + x) * channels + c;
        data[k] = Math.round((1 - w) * data[k]! + w * bilinear(restored.data, size, size, restored.channels, u, v, c));
      }
    }
  }
}

/** Restores each face (5 landmarks each, image pixels) and returns a new image; the input is not modified. */
export async function restoreFaces(image: Pixels, faces: number[][], restorer: FaceRestorer, options: RestoreOptions): Promise<Pixels> {
  const out: Pixels = { ...image, data: Uint8Array.from(image.data) };
  const template = FFHQ_TEMPLATE_512.map((v) => (v * restorer.size) / 512);
  const alpha = await featherMask(restorer.size);
  for (const landmarks of faces) {
    const m = estimateSimilarity(landmarks, template);
    const crop = warpSimilarity(image, m, restorer.size);
    const restored = await restorer.restore(crop, options.fidelity);
    if (restored.width !== restorer.size || restored.height !== restorer.size) {
      throw new Error(`expected ${restorer.name} to return ${restorer.size} x ${restorer.size}, received ${restored.width} x ${restored.height}`);
    }
    pasteBack(out, restored, alpha, m, options.strength ?? 1);
  }
  return out;
}
