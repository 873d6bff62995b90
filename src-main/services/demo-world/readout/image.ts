// Reading pixels back: bilinear samples (pixel centres at integer coordinates, like landmarks), and robust
// summaries of a region (per-channel median), so a few stray pixels (an edge, a pattern dot, noise) never decide.
import type { Rgb } from '../palette.js';

export interface RgbImage {
  /** 8-bit sRGB, height × width × 3. */
  rgb: Uint8Array;
  width: number;
  height: number;
}

export function checkImage(image: RgbImage): void {
  const { rgb, width, height } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 16 || height < 16) {
    throw new RangeError(`expected an image of at least 16 × 16 pixels, received ${width} × ${height}`);
  }
  if (rgb.length !== width * height * 3) {
    throw new RangeError(`expected ${width * height * 3} bytes for ${width} × ${height} RGB, received ${rgb.length}`);
  }
}

export function pixelAt(image: RgbImage, i: number, j: number): Rgb {
  const k = (j * image.width + i) * 3;
  return [image.rgb[k] as number, image.rgb[k + 1] as number, image.rgb[k + 2] as number];
}

/** Bilinear sample at (x, y), clamped to the image. */
export function sampleAt(image: RgbImage, x: number, y: number): Rgb {
  const cx = Math.max(0, Math.min(image.width - 1, x));
  const cy = Math.max(0, Math.min(image.height - 1, y));
  const i0 = Math.min(image.width - 2, Math.floor(cx)), j0 = Math.min(image.height - 2, Math.floor(cy));
  const fx = cx - i0, fy = cy - j0;
  const out: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c += 1) {
    const at = (i: number, j: number) => image.rgb[(j * image.width + i) * 3 + c] as number;
    const top = at(i0, j0) + (at(i0 + 1, j0) - at(i0, j0)) * fx;
    const bottom = at(i0, j0 + 1) + (at(i0 + 1, j0 + 1) - at(i0, j0 + 1)) * fx;
    out[c] = top + (bottom - top) * fy;
  }
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Per-channel median of a list of colours. */
export function medianColor(colors: readonly Rgb[]): Rgb {
  if (colors.length === 0) throw new RangeError('expected at least one colour to summarise, received none');
  return [median(colors.map((c) => c[0])), median(colors.map((c) => c[1])), median(colors.map((c) => c[2]))];
}

/**
 * The colour most pixels share (within `radius`): the backdrop behind a pattern, even where the pattern covers
 * nearly half of a strip and a per-channel median would land between the two tones. Candidates are a spread of
 * up to 64 of the pixels, which keeps it linear in the pixel count.
 */
export function dominantColor(colors: readonly Rgb[], radius = 30): Rgb {
  if (colors.length === 0) throw new RangeError('expected at least one colour to summarise, received none');
  const stride = Math.max(1, Math.ceil(colors.length / 64));
  let best: Rgb = colors[0] as Rgb;
  let bestCount = -1;
  for (let i = 0; i < colors.length; i += stride) {
    const candidate = colors[i] as Rgb;
    let count = 0;
    for (const c of colors) if (distance(c, candidate) <= radius) count += 1;
    if (count > bestCount) {
      bestCount = count;
      best = candidate;
    }
  }
  return medianColor(colors.filter((c) => distance(c, best) <= radius));
}

export function meanColor(colors: readonly Rgb[]): Rgb {
  const sum = colors.reduce<[number, number, number]>((s, c) => [s[0] + c[0], s[1] + c[1], s[2] + c[2]], [0, 0, 0]);
  return [sum[0] / colors.length, sum[1] / colors.length, sum[2] / colors.length];
}

/** The pixels of the rectangle [x0, x1) × [y0, y1), given in fractions of the width and height. */
export function pixelsInRect(image: RgbImage, x0: number, x1: number, y0: number, y1: number): Rgb[] {
  const out: Rgb[] = [];
  const i0 = Math.floor(x0 * image.width), i1 = Math.ceil(x1 * image.width);
  const j0 = Math.floor(y0 * image.height), j1 = Math.ceil(y1 * image.height);
  for (let j = Math.max(0, j0); j < Math.min(image.height, j1); j += 1) {
    for (let i = Math.max(0, i0); i < Math.min(image.width, i1); i += 1) out.push(pixelAt(image, i, j));
  }
  return out;
}

export function distance(a: Rgb, b: Rgb): number {
  return Math.sqrt((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2);
}
