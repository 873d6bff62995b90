// A whole two-phase MagiCapture run on the tiny model, on the CPU: losses, determinism, exact resume, cancel.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { NativeTensor } from '../../native/lib/addon.js';
import { Engine } from '../../native/lib/engine.js';
import { train, type TrainConfigInput, type TrainImageInput, type TrainProgress } from '../../native/lib/training.js';
import { maxAbsDiff, repoRoot, tinyDiffusers } from '../helpers/golden.js';

const SIZE = 64;

/** A synthetic portrait: a disk "face" of one colour on a background of another; the mask is the disk. */
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
const references = [
  portrait([0.5, 0.5, 0.5], [0.1, 0.2, 0.8], 15),
  portrait([0.4, 0.4, 0.4], [0.1, 0.3, 0.9], 17),
];
const quick: TrainConfigInput = { stepsTi: 4, stepsLora: 4, seed: 7, lrTi: 5e-3, lrUnet: 1e-3 };
// The tiny vocabulary (1,000 merges) has no single token for "person".
const initializerToken = 'a';

describe('MagiCapture training on the tiny model', () => {
  let engine: Engine;
  const dir = mkdtempSync(join(tmpdir(), 'magicapture-train-'));
  beforeAll(async () => {
    engine = await Engine.open(tinyDiffusers);
  });
  afterAll(() => engine.close());

  it('runs both phases with every loss term reported per step', async () => {
    const steps: TrainProgress[] = [];
    const summary = await train(engine, sources, references, {
      initializerToken,
      config: quick,
      onStep: (p) => steps.push(p),
      outputDir: dir,
    });
    expect(summary.steps).toBe(8);
    expect(steps.map((s) => s.phase)).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    expect(summary.tokenRows.shape).toEqual([2, 32]);
    // Phase 1: learning rate decays linearly from the full value; phase 2 has the three groups.
    expect(steps[0]!.lrEmbedding).toBeCloseTo(5e-3, 9);
    expect(steps[3]!.lrEmbedding).toBeCloseTo(5e-3 * 0.25, 9);
    expect(steps[4]!.lrUnet).toBeCloseTo(1e-3, 9);
    for (const s of steps) {
      expect(Number.isFinite(s.losses['total'])).toBe(true);
      expect(s.losses['mask']).toBeGreaterThan(0);
    }
    const phase2 = steps.filter((s) => s.phase === 2);
    expect(phase2.some((s) => (s.losses['attn'] ?? 0) > 0)).toBe(true);
    // The whole SD1.x target set: 9 per transformer block in the UNet, 4 per CLIP layer.
    expect(summary.adapters).toBe(9 * 16 + 4 * 3);
    // The outputs load back into a fresh engine and their tokens work in prompts.
    for (const file of ['magicapture_lora.safetensors', 'lora_kohya.safetensors', 'identity_embedding.safetensors']) {
      expect(existsSync(join(dir, file))).toBe(true);
    }
    const fresh = await Engine.open(tinyDiffusers);
    const status = await fresh.loadLora(join(dir, 'magicapture_lora.safetensors'), { unetScale: 0.6, textScale: 0.9 });
    expect(status.tokens.map((t) => t.token)).toEqual(['<sks>', '<style1>']);
    const image = await fresh.sample({ prompt: 'a photo of a <sks> person in the style of <style1>', width: 64, height: 64, steps: 2 });
    expect(image.images.shape).toEqual([1, 3, 64, 64]);
    fresh.close();
  });

  it('is deterministic for a seed, and resuming from a checkpoint equals training straight through', async () => {
    const straight = await train(engine, sources, references, {
      initializerToken, config: quick });
    const again = await train(engine, sources, references, {
      initializerToken, config: quick });
    expect(maxAbsDiff(straight.tokenRows.data, again.tokenRows.data)).toBe(0);

    // Stop after 6 of 8 steps (into phase 2), then resume.
    const checkpointPath = join(dir, 'checkpoint.safetensors');
    const controller = new AbortController();
    await expect(
      train(engine, sources, references, {
      initializerToken,
        config: quick,
        checkpointPath,
        signal: controller.signal,
        onStep: (p) => p.step === 6 && controller.abort(),
      }),
    ).rejects.toMatchObject({ code: 'E_CANCELLED' });
    const resumed = await train(engine, sources, references, {
      initializerToken, config: quick, checkpointPath, resume: true });
    expect(resumed.steps).toBe(8);
    expect(maxAbsDiff(resumed.tokenRows.data, straight.tokenRows.data)).toBeLessThan(1e-6);
    expect(resumed.losses['total']).toBeCloseTo(straight.losses['total']!, 5);
  });

  it('lowers the loss against an identical run that does not learn (same noise, timesteps and items)', async () => {
    const run = async (lrTi: number) => {
      const losses: number[] = [];
      await train(engine, sources, references, {
      initializerToken,
        config: { stepsTi: 30, stepsLora: 0, seed: 3, lrTi },
        onStep: (p) => losses.push(p.losses['mask']!),
      });
      return losses.slice(-15).reduce((a, b) => a + b, 0);
    };
    const frozen = await run(0);
    const learned = await run(2e-2);
    expect(learned).toBeLessThan(frozen);
  });

  it('adds the identity loss (Tweedie x0 -> VAE decode -> face warp -> ArcFace) when landmarks and a network are given', async () => {
    // Landmarks on the synthetic faces: eyes, nose, mouth corners around the disk centre (32, 30).
    const landmarks = [24, 24, 40, 24, 32, 31, 26, 38, 38, 38];
    const withLandmarks = (images: TrainImageInput[]) => images.map((i) => ({ ...i, landmarks }));
    const steps: TrainProgress[] = [];
    await train(engine, withLandmarks(sources), withLandmarks(references), {
      initializerToken,
      config: { stepsTi: 1, stepsLora: 6, seed: 5 },
      arcfacePath: join(repoRoot, 'test', 'fixtures', 'arcface', 'mobilefacenet-narrow.safetensors'),
      onStep: (p) => steps.push(p),
    });
    const withId = steps.filter((s) => s.losses['id'] !== undefined);
    expect(withId.length).toBeGreaterThan(0);
    for (const s of withId) {
      expect(s.task).not.toBe('style');
      expect(s.losses['id']).toBeGreaterThanOrEqual(0);
      expect(s.losses['id']).toBeLessThanOrEqual(2);
    }
    expect(steps.filter((s) => s.phase === 1).every((s) => s.losses['id'] === undefined)).toBe(true);
  });

  it('refuses bad input with clear messages', async () => {
    await expect(train(engine, [], references)).rejects.toThrow('expected 1 to 64 source images');
    await expect(train(engine, sources, references, {
      initializerToken, config: { stepsTi: -1 } })).rejects.toThrow(
      /expected steps_ti from 0/,
    );
  });
});
