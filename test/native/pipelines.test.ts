// Full seeded txt2img / img2img runs against diffusers' pipelines on the tiny model (test/golden/pipelines.*).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Engine, type SampleProgress } from '../../native/lib/engine.js';
import type { SampleRequest, SamplerName } from '../../native/lib/sample-request.js';
import { goldenJson, goldenTensor, maxAbsDiff, psnr, tinyDiffusers, tinyLdm, tinyTokenizer } from '../helpers/golden.js';

interface GoldenCase {
  sampler: SamplerName;
  params: {
    prompt: string | string[];
    negative_prompt: string | null;
    num_inference_steps: number;
    guidance_scale: number;
    num_images_per_prompt: number;
    seed: number;
    strength?: number;
    height?: number;
    width?: number;
  };
  unet_timesteps: number[];
}

const cases = goldenJson<{ cases: Record<string, GoldenCase> }>('pipelines.json').cases;
const file = 'pipelines.safetensors';

function requestFor(name: string, c: GoldenCase): SampleRequest {
  const p = c.params;
  const request: SampleRequest = {
    prompt: p.prompt,
    negativePrompt: p.negative_prompt ?? '',
    steps: p.num_inference_steps,
    guidanceScale: p.guidance_scale,
    imagesPerPrompt: p.num_images_per_prompt,
    seed: p.seed,
    sampler: c.sampler,
    width: 64,
    height: 64,
    returnLatents: true,
  };
  if (name.startsWith('img2img')) {
    request.initImage = goldenTensor(file, 'img2img.image');
    request.strength = p.strength ?? 0.75;
  }
  return request;
}

describe('pipelines equal diffusers on the tiny model', () => {
  let engine: Engine;
  let ldmEngine: Engine;
  beforeAll(async () => {
    engine = await Engine.open(tinyDiffusers);
    ldmEngine = await Engine.open(tinyLdm(), { tokenizerDir: tinyTokenizer });
  });
  afterAll(() => {
    engine.close();
    ldmEngine.close();
  });

  for (const [name, c] of Object.entries(cases)) {
    it(`${name}: images within 1e-3 and the same timesteps`, async () => {
      const steps: SampleProgress[] = [];
      const result = await engine.sample(requestFor(name, c), { onStep: (p) => steps.push(p) });
      const expected = goldenTensor(file, `${name}.images`);
      expect(result.images.shape).toEqual(expected.shape);
      expect(result.timesteps).toEqual(c.unet_timesteps.map((t) => Math.fround(t)));
      const error = maxAbsDiff(result.images.data, expected.data);
      expect(error).toBeLessThanOrEqual(1e-3);
      expect(psnr(result.images.data, expected.data)).toBeGreaterThan(40);
      const latents = goldenTensor(file, `${name}.latents`);
      expect(maxAbsDiff(result.latents!.data, latents.data)).toBeLessThan(5e-4);
      expect(steps.map((s) => s.step)).toEqual(c.unet_timesteps.map((_, i) => i + 1));
      expect(steps.at(-1)?.etaSeconds).toBe(0);
    });
  }

  it('the single-file checkpoint gives the same images as the diffusers folder', async () => {
    const c = cases['txt2img.euler_a']!;
    const result = await ldmEngine.sample(requestFor('txt2img.euler_a', c));
    expect(maxAbsDiff(result.images.data, goldenTensor(file, 'txt2img.euler_a.images').data)).toBeLessThanOrEqual(1e-3);
  });
});
