// Cheap photo checks for pre-flight: sharpness as the variance of the Laplacian (a blurred face has little
// high-frequency energy) and a 64-bit difference hash that stays equal through re-encoding and resizing, so
// the same photo imported twice is caught even when the files differ.
import sharp from 'sharp';

import type { Pixels } from '../../common/protocol/media.js';

/** Faces are compared at one width, so sharpness does not depend on the photo's resolution. */
export const SHARPNESS_WIDTH = 128;

function raw(pixels: Pixels) {
  return sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels } });
}

/** Variance of the 4-neighbour Laplacian of a grey image (interior pixels). */
export function laplacianVariance(grey: Uint8Array, width: number, height: number): number {
  let sum = 0, sumSq = 0, n = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const l = grey[i - 1]! + grey[i + 1]! + grey[i - width]! + grey[i + width]! - 4 * grey[i]!;
      sum += l;
      sumSq += l * l;
      n++;
    }
  }
  return n === 0 ? 0 : sumSq / n - (sum / n) ** 2;
}

/** Sharpness of the centre of a face box (the inner 70%, skipping hair and background at its edges). */
export async function faceSharpness(pixels: Pixels, box: readonly [number, number, number, number]): Promise<number> {
  const [bx, by, bw, bh] = box;
  const left = Math.max(0, Math.round(bx + bw * 0.15)), top = Math.max(0, Math.round(by + bh * 0.15));
  const width = Math.min(pixels.width - left, Math.round(bw * 0.7)), height = Math.min(pixels.height - top, Math.round(bh * 0.7));
  if (width < 8 || height < 8) return 0;
  const { data, info } = await raw(pixels)
    .extract({ left, top, width, height })
    .resize({ width: SHARPNESS_WIDTH, kernel: 'cubic' })
    .toColourspace('b-w')
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return laplacianVariance(data, info.width, info.height);
}

/** dHash: 9 x 8 grey thumbnail, one bit per horizontal neighbour comparison, as 16 hex digits. */
export async function differenceHash(pixels: Pixels): Promise<string> {
  const data = await raw(pixels).resize(9, 8, { fit: 'fill', kernel: 'cubic' }).toColourspace('b-w').extractChannel(0).raw().toBuffer();
  let bits = 0n;
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) bits = (bits << 1n) | (data[y * 9 + x]! > data[y * 9 + x + 1]! ? 1n : 0n);
  }
  return bits.toString(16).padStart(16, '0');
}

export function hammingDistance(a: string, b: string): number {
  let x = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let count = 0;
  while (x > 0n) {
    count += Number(x & 1n);
    x >>= 1n;
  }
  return count;
}
