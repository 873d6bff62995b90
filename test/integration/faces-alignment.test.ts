// The alignment maths against independent computations: the closed-form similarity fit against a generic
// least-squares solve of the same problem (normal equations, Gaussian elimination), and the warp against
// transforms whose exact pixel result is known.
import { describe, expect, it } from 'vitest';

import type { Pixels } from '../../src-main/common/protocol/media.js';
import { ARCFACE_TEMPLATE, applySimilarity, estimateSimilarity, type Similarity, warpSimilarity } from '../../src-main/media-host/faces/alignment.js';

/** Least squares for [a, b, tx, ty] in u = a·x − b·y + tx, v = b·x + a·y + ty, solved from AᵀA p = Aᵀy. */
function leastSquaresSimilarity(from: number[], to: number[]): Similarity {
  const rows: number[][] = [], rhs: number[] = [];
  for (let i = 0; i < from.length; i += 2) {
    rows.push([from[i]!, -from[i + 1]!, 1, 0]);
    rhs.push(to[i]!);
    rows.push([from[i + 1]!, from[i]!, 0, 1]);
    rhs.push(to[i + 1]!);
  }
  const m = [0, 1, 2, 3].map((r) => [0, 1, 2, 3].map((c) => rows.reduce((s, row) => s + row[r]! * row[c]!, 0)).concat(rows.reduce((s, row, k) => s + row[r]! * rhs[k]!, 0)));
  for (let col = 0; col < 4; col++) {
    const pivot = m.slice(col).reduce((best, row, k) => (Math.abs(row[col]!) > Math.abs(m[best]![col]!) ? col + k : best), col);
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = 0; r < 4; r++) {
      if (r === col) continue;
      const f = m[r]![col]! / m[col]![col]!;
      for (let c = col; c < 5; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  const [a, b, tx, ty] = [0, 1, 2, 3].map((r) => m[r]![4]! / m[r]![r]!) as [number, number, number, number];
  return [a, -b, tx, b, a, ty];
}

function gradient(width: number, height: number): Pixels {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x % 256, y % 256, (x * 7 + y * 3) % 256], (y * width + x) * 3);
  return { data, width, height, channels: 3 };
}

describe('similarity alignment', () => {
  it('matches an independent least-squares fit on real, noisy landmarks', () => {
    const landmarks = [204.3, 100.2, 246.1, 103.4, 223.0, 130.0, 201.0, 138.0, 245.0, 140.0]; // astronaut.jpg
    const fitted = estimateSimilarity(landmarks, [...ARCFACE_TEMPLATE]);
    const reference = leastSquaresSimilarity(landmarks, [...ARCFACE_TEMPLATE]);
    fitted.forEach((v, i) => expect(v).toBeCloseTo(reference[i]!, 9));
  });

  it('recovers a known rotation, scale and translation exactly', () => {
    const angle = 0.3, scale = 1.7;
    const truth: Similarity = [scale * Math.cos(angle), -scale * Math.sin(angle), 12, scale * Math.sin(angle), scale * Math.cos(angle), -5];
    const from = [10, 20, 50, 22, 30, 40, 15, 60, 45, 61];
    const fitted = estimateSimilarity(from, applySimilarity(truth, from));
    fitted.forEach((v, i) => expect(v).toBeCloseTo(truth[i]!, 10));
    expect(() => estimateSimilarity([1, 1, 1, 1], [0, 0, 5, 5])).toThrow(/distinct landmarks/);
  });

  it('warps by sampling the inverse-mapped source pixel', () => {
    const source = gradient(40, 30);
    // A translation by whole pixels copies pixels exactly; beyond the source stays black (zero padding).
    const shifted = warpSimilarity(source, [1, 0, -5, 0, 1, -3], 16);
    for (const [u, v] of [[0, 0], [7, 9], [15, 15]] as const) {
      expect([...shifted.data.subarray((v * 16 + u) * 3, (v * 16 + u) * 3 + 3)]).toEqual([...source.data.subarray(((v + 3) * 40 + u + 5) * 3, ((v + 3) * 40 + u + 5) * 3 + 3)]);
    }
    const outside = warpSimilarity(source, [1, 0, 30, 0, 1, 0], 16);
    expect([...outside.data.subarray(0, 3)]).toEqual([0, 0, 0]);
    // A quarter turn: output (u, v) shows source (v, 15 − u).
    const turned = warpSimilarity(source, [0, -1, 15, 1, 0, 0], 16);
    expect([...turned.data.subarray((2 * 16 + 5) * 3, (2 * 16 + 5) * 3 + 3)]).toEqual([...source.data.subarray((10 * 40 + 2) * 3, (10 * 40 + 2) * 3 + 3)]);
    // Half a pixel to the right: the mean of two neighbours, rounded.
    const half = warpSimilarity(source, [1, 0, -0.5, 0, 1, 0], 8);
    expect(half.data[(1 * 8 + 2) * 3]).toBe(Math.round((source.data[(1 * 40 + 2) * 3]! + source.data[(1 * 40 + 3) * 3]!) / 2));
  });
});
