// Mixed-precision training (issue 3, item 4; METHOD.md §5.4): on a bf16 engine the trainable tensors stay fp32
// master weights, the run trains and ends close to the fp32 run. The fp16 loss scaler's logic is driven directly
// (fp16 is refused on the CPU, so it is not trained end to end here).
import { describe, expect, it } from 'vitest';

import { addon, type NativeTensor } from '../../native/lib/addon.js';
import { Engine } from '../../native/lib/engine.js';
import { train, type TrainConfigInput, type TrainImageInput, type TrainProgress } from '../../native/lib/training.js';
import { maxAbsDiff, tinyDiffusers } from '../helpers/golden.js';

const SIZE = 64;

function portrait(face: [number, number, number], background: [number, number, number], radius: number): TrainImageInput {
  const plane = SIZE * SIZE;
  const image = new Float32Array(3 * plane);
  const mask = new Float32Array(plane);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const inside = (x - 32) ** 2 + (y - 30) ** 2 < radius ** 2;
      const stripe = (x + y) % 16 < 8 ? 1 : 0.8;
      for (let c = 0; c < 3; c++) image[c * plane + y * SIZE + x] = inside ? face[c]! : background[c]! * stripe;
      mask[y * SIZE + x] = inside ? 1 : 0.0099;
    }
  }
  const tensor = (data: Float32Array, c: number): NativeTensor => ({ data, shape: [c, SIZE, SIZE] });
  return { image: tensor(image, 3), faceMask: tensor(mask, 1) };
}

const sources = [14, 16, 18].map((r) => portrait([0.9, 0.7, 0.6], [0.3, 0.3, 0.3], r));
const references = [portrait([0.5, 0.5, 0.5], [0.1, 0.2, 0.8], 15), portrait([0.4, 0.4, 0.4], [0.1, 0.3, 0.9], 17)];
const config: TrainConfigInput = { stepsTi: 6, stepsLora: 6, seed: 7, lrTi: 5e-3, lrUnet: 1e-3 };
const initializerToken = 'a';

interface ScalerTrace {
  scales: number[];
  skipped: boolean[];
  unscaled: number[];
}
const scalerTrace = (grads: number[], options?: { initScale?: number; growthInterval?: number }): ScalerTrace =>
  (addon()['trainingMath'] as { lossScalerTrace(g: number[], o?: object): ScalerTrace }).lossScalerTrace(grads, options);

describe('bf16 training on the tiny model (CPU)', () => {
  it('keeps fp32 master weights, trains, and stays close to the fp32 run', async () => {
    const run = async (dtype: 'fp32' | 'bf16') => {
      const engine = await Engine.open(tinyDiffusers, { dtype });
      const steps: TrainProgress[] = [];
      try {
        const summary = await train(engine, sources, references, { initializerToken, config, onStep: (p) => steps.push(p) });
        return { summary, steps };
      } finally {
        engine.close();
      }
    };
    const fp32 = await run('fp32');
    const bf16 = await run('bf16');
    expect(bf16.summary.masterDtype).toBe('fp32');
    expect(bf16.summary.lossScale).toBe(1);
    expect(bf16.summary.skippedSteps).toBe(0);
    for (const s of bf16.steps) expect(Number.isFinite(s.losses['total'])).toBe(true);
    // Trained: the adapters left their zero initialisation and the rows moved like the fp32 run's.
    expect(bf16.summary.adapterUpNorm).toBeGreaterThan(0);
    const rowsDiff = maxAbsDiff(bf16.summary.tokenRows.data, fp32.summary.tokenRows.data);
    const rowsScale = Math.max(...Array.from(fp32.summary.tokenRows.data, Math.abs));
    const lossDiffs = bf16.steps.map((s, i) => Math.abs(s.losses['total']! - fp32.steps[i]!.losses['total']!));
    const lossRel = bf16.steps.map((s, i) => lossDiffs[i]! / Math.abs(fp32.steps[i]!.losses['total']!));
    const l2 = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((n, v) => n + v * v, 0));
    const rowsRelL2 =
      l2(Array.from(bf16.summary.tokenRows.data, (v, i) => v - fp32.summary.tokenRows.data[i]!)) / l2(fp32.summary.tokenRows.data);
    const upRel = Math.abs(bf16.summary.adapterUpNorm - fp32.summary.adapterUpNorm) / fp32.summary.adapterUpNorm;
    console.log(
      `bf16 vs fp32 after ${bf16.steps.length} steps: rows max |diff| ${rowsDiff.toExponential(2)} (max |row| ${rowsScale.toFixed(3)}), ` +
        `rows relative L2 ${rowsRelL2.toExponential(2)}, ` +
        `per-step total loss max |diff| ${Math.max(...lossDiffs).toExponential(2)} (max relative ${Math.max(...lossRel).toExponential(2)}), adapter up-norm rel diff ${upRel.toExponential(2)}`,
    );
    // bf16 keeps 8 mantissa bits and the latents are encoded in bf16 too; AdamW's first steps move each weight
    // by about lr x sign(g), so elements whose gradient is near zero can go either way: the rows agree in
    // direction, not to the last digit.
    expect(rowsRelL2).toBeLessThan(0.3);
    expect(upRel).toBeLessThan(0.02);
    expect(Math.max(...lossRel)).toBeLessThan(0.1);
  });
});

describe('fp16 dynamic loss scaling (GradScaler semantics)', () => {
  it('starts at 2^16, skips a step with an inf or NaN gradient and halves the scale', () => {
    const t = scalerTrace([0.5, Infinity, 0.25, NaN, 1]);
    expect(t.skipped).toEqual([false, true, false, true, false]);
    expect(t.scales).toEqual([65536, 32768, 32768, 16384, 16384]);
    // A good step hands on the unscaled gradient exactly (the scale is a power of two).
    expect(t.unscaled[0]).toBe(0.5);
    expect(t.unscaled[2]).toBe(0.25);
    expect(t.unscaled[4]).toBe(1);
  });

  it('doubles the scale after growthInterval good steps in a row; an overflow resets the count', () => {
    const t = scalerTrace([1, 1, 1, 1, 1, Infinity, 1, 1, 1], { initScale: 1024, growthInterval: 3 });
    expect(t.scales).toEqual([1024, 1024, 2048, 2048, 2048, 1024, 1024, 1024, 2048]);
    expect(scalerTrace(Array(2000).fill(1) as number[]).scales.at(-1)).toBe(131072);
    expect(scalerTrace(Array(1999).fill(1) as number[]).scales.at(-1)).toBe(65536);
  });
});
