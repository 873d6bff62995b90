// The trainer's loss and alignment functions against values computed by hand (METHOD.md §1.3-1.5, §4).
import { describe, expect, it } from 'vitest';

import { addon, type NativeTensor } from '../../native/lib/addon.js';

interface TrainingMath {
  maskedLoss(epsHat: NativeTensor, eps: NativeTensor, mask: NativeTensor): NativeTensor;
  latentMask(mask: NativeTensor, h: number, w: number): NativeTensor;
  attentionLoss(maps: NativeTensor[], token: number, target: NativeTensor): { loss: number; grads: NativeTensor[] };
  similarity(src: NativeTensor, dst: NativeTensor): NativeTensor;
  warpAffine(image: NativeTensor, matrices: NativeTensor, size: number): NativeTensor;
  arcfaceTemplate(): NativeTensor;
}
const math = () => addon()['trainingMath'] as TrainingMath;
const tensor = (shape: number[], fill: (i: number) => number): NativeTensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, (_, i) => fill(i)) };
};

describe('masked reconstruction loss', () => {
  it('is sum M^2 (eps_hat - eps)^2 / (C sum M), per sample', () => {
    // B=2, C=2, 1x2 pixels; mask per pixel [1, 0.5] for sample 0 and [0.25, 0.25] for sample 1.
    const epsHat = tensor([2, 2, 1, 2], (i) => [1, 2, 3, 4, 0, 0, 0, 0][i]!);
    const eps = tensor([2, 2, 1, 2], (i) => [0, 0, 0, 0, 1, 1, 1, 1][i]!);
    const mask = tensor([2, 1, 1, 2], (i) => [1, 0.5, 0.25, 0.25][i]!);
    const loss = math().maskedLoss(epsHat, eps, mask);
    // sample 0: (1*1^2 + 0.25*2^2 + 1*3^2 + 0.25*4^2) / (2 * 1.5) = (1 + 1 + 9 + 4) / 3 = 5
    // sample 1: 0.0625 * 4 * 1 / (2 * 0.5) = 0.25
    expect(Array.from(loss.data)).toEqual([5, 0.25].map(Math.fround));
  });

  it('makes the soft latent mask of METHOD §1.5 (floor 0.01, nearest, max-normalised)', () => {
    // 4x4 mask: left half face (1), right half 0, downsampled to 2x2.
    const mask = tensor([1, 1, 4, 4], (i) => (i % 4 < 2 ? 1 : 0));
    const m = math().latentMask(mask, 2, 2);
    expect(m.shape).toEqual([1, 1, 2, 2]);
    expect(m.data[0]).toBeCloseTo(1, 6);
    expect(m.data[1]).toBeCloseTo(0.01 / 1.01, 6);
  });
});

describe('attention refocusing loss', () => {
  const target = tensor([4, 4], (i) => (i % 4 < 2 ? 1 : 0.01)); // token belongs to the left half
  it('is zero when the map already matches and positive when attention leaks', () => {
    // One map, one head, 2x2 queries, 3 tokens; token 1 attends left (inside) only.
    const inside = tensor([1, 4, 3], (i) => {
      const q = Math.floor(i / 3), k = i % 3;
      return k === 1 ? (q % 2 === 0 ? 1 : 0) : 0;
    });
    const leaking = tensor([1, 4, 3], (i) => {
      const q = Math.floor(i / 3), k = i % 3;
      return k === 1 ? (q % 2 === 0 ? 0 : 1) : 0;
    });
    const good = math().attentionLoss([inside], 1, target);
    const bad = math().attentionLoss([leaking], 1, target);
    expect(bad.loss).toBeGreaterThan(good.loss);
    expect(bad.loss).toBeGreaterThan(0.05);
  });

  it('sends a gradient to the attention probabilities (METHOD §4.4, B1 fixed)', () => {
    const maps = [tensor([2, 4, 3], (i) => 0.1 + ((i * 7) % 5) / 10)];
    const { grads } = math().attentionLoss(maps, 2, target);
    const norm = Math.hypot(...Array.from(grads[0]!.data));
    expect(norm).toBeGreaterThan(1e-4);
    // Only the token's own column receives gradient.
    for (let i = 0; i < grads[0]!.data.length; i++) if (i % 3 !== 2) expect(grads[0]!.data[i]).toBe(0);
  });

  it('stays finite when a head gives the token (almost) no attention', () => {
    // Seen in training at a high learning rate: probabilities near 1e-40 made 1/range overflow and the step NaN.
    const faint = tensor([1, 4, 3], (i) => (i % 3 === 1 ? [1e-40, 3e-40, 2e-40, 5e-40][Math.floor(i / 3)]! : 0.5));
    const { loss, grads } = math().attentionLoss([faint], 1, target);
    expect(Number.isFinite(loss)).toBe(true);
    expect(grads[0]!.data.every(Number.isFinite)).toBe(true);
  });
});

describe('face alignment', () => {
  it('recovers a known similarity transform from the 5 landmarks', () => {
    const template = math().arcfaceTemplate();
    // Source = template scaled by 4, rotated 10 degrees, shifted by (100, 50).
    const a = (10 * Math.PI) / 180;
    const src = tensor([5, 2], (i) => {
      const p = Math.floor(i / 2);
      const x = template.data[p * 2]!, y = template.data[p * 2 + 1]!;
      const sx = 4 * (Math.cos(a) * x - Math.sin(a) * y) + 100;
      const sy = 4 * (Math.sin(a) * x + Math.cos(a) * y) + 50;
      return i % 2 === 0 ? sx : sy;
    });
    const m = math().similarity(src, template);
    // The inverse: scale 1/4, rotation -10 degrees.
    expect(m.data[0]).toBeCloseTo(Math.cos(a) / 4, 5);
    expect(m.data[1]).toBeCloseTo(Math.sin(a) / 4, 5);
    expect(m.data[3]).toBeCloseTo(-Math.sin(a) / 4, 5);
    // Every source landmark lands on its template point.
    for (let p = 0; p < 5; p++) {
      const x = src.data[p * 2]!, y = src.data[p * 2 + 1]!;
      expect(m.data[0]! * x + m.data[1]! * y + m.data[2]!).toBeCloseTo(template.data[p * 2]!, 3);
      expect(m.data[3]! * x + m.data[4]! * y + m.data[5]!).toBeCloseTo(template.data[p * 2 + 1]!, 3);
    }
  });

  it('warps with align_corners semantics: identity keeps pixels, a shift moves them exactly', () => {
    const image = tensor([1, 1, 4, 4], (i) => i);
    const identity = math().warpAffine(image, tensor([1, 2, 3], (i) => [1, 0, 0, 0, 1, 0][i]!), 4);
    identity.data.forEach((v, i) => expect(v).toBeCloseTo(image.data[i]!, 5));
    // Destination = source + 1 pixel right: destination (x, y) samples source (x - 1, y); column 0 is outside.
    const shifted = math().warpAffine(image, tensor([1, 2, 3], (i) => [1, 0, 1, 0, 1, 0][i]!), 4);
    [0, 0, 1, 2].forEach((v, i) => expect(shifted.data[i]).toBeCloseTo(v, 5));
  });
});
