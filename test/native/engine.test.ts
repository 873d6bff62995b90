// Engine behaviour beyond numerics: attention maps, progress, cancellation, dtypes, devices and bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addon } from '../../native/lib/addon.js';
import { Engine } from '../../native/lib/engine.js';
import type { EngineError } from '../../native/lib/errors.js';
import type { SampleRequest } from '../../native/lib/sample-request.js';
import { goldenTensor, maxAbs, maxAbsDiff, psnr, tinyDiffusers, tinyLdm, tinyTokenizer } from '../helpers/golden.js';

const base: SampleRequest = { prompt: 'a photo of a cat', width: 64, height: 64, steps: 4, seed: 1, sampler: 'euler' };

async function rejection(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    return error as EngineError;
  }
  throw new Error('expected the promise to reject');
}

describe('engine behaviour', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.open(tinyDiffusers);
  });
  afterAll(() => engine.close());

  it('reports the checkpoint it opened', () => {
    expect(engine.info.layout).toBe('diffusers');
    expect(engine.info.unetConfig.blockOutChannels).toEqual([8, 8, 16, 16]);
    expect(engine.info.unetConfig.downBlockTypes).toEqual([
      'CrossAttnDownBlock2D',
      'CrossAttnDownBlock2D',
      'CrossAttnDownBlock2D',
      'DownBlock2D',
    ]);
    expect(engine.info.textConfig.vocabSize).toBe(1514);
    expect(engine.info.tokenizerDir).toMatch(/tokenizer$/);
  });

  it('captures per-token cross-attention maps for the chosen layers and steps, conditional half only', async () => {
    const result = await engine.sample({
      ...base,
      guidanceScale: 5,
      imagesPerPrompt: 2,
      attention: { layers: ['up_blocks.1', 'down_blocks.2'], steps: [0, 3], resolution: 8 },
    });
    const attention = result.attention!;
    const tokens = attention.tokens[0]!;
    expect(tokens[0]).toBe('<|startoftext|>');
    expect(tokens.at(-1)).toBe('<|endoftext|>');
    const layers = new Set(attention.maps.map((m) => m.layer));
    expect([...layers].sort()).toEqual([
      'down_blocks.2.attentions.0.transformer_blocks.0.attn2',
      'down_blocks.2.attentions.1.transformer_blocks.0.attn2',
      'up_blocks.1.attentions.0.transformer_blocks.0.attn2',
      'up_blocks.1.attentions.1.transformer_blocks.0.attn2',
      'up_blocks.1.attentions.2.transformer_blocks.0.attn2',
    ]);
    expect(new Set(attention.maps.map((m) => m.step))).toEqual(new Set([0, 3]));
    expect(attention.maps).toHaveLength(10);
    for (const map of attention.maps) {
      expect(map.shape).toEqual([2, tokens.length, 8, 8]);
      // Probabilities over all 77 positions sum to 1; the kept tokens carry most of it but not more.
      const [, t, h, w] = map.shape as [number, number, number, number];
      for (let p = 0; p < h * w; p++) {
        let sum = 0;
        for (let k = 0; k < t; k++) sum += map.data[k * h * w + p] as number;
        expect(sum).toBeGreaterThan(0);
        expect(sum).toBeLessThanOrEqual(1 + 1e-4);
      }
    }
  });

  it('reports progress every step and stops within one step when cancelled', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const error = await rejection(
      engine.sample(
        { ...base, steps: 50 },
        {
          signal: controller.signal,
          onStep: (p) => {
            seen.push(p.step);
            if (p.step === 3) controller.abort();
          },
        },
      ),
    );
    expect(error.code).toBe('E_CANCELLED');
    expect(error.message).toMatch(/cancelled after [34] of 50 steps/);
    expect(seen.at(-1)).toBeLessThanOrEqual(4);
    // The engine is usable again afterwards.
    const again = await engine.sample(base);
    expect(again.images.shape).toEqual([1, 3, 64, 64]);
  });

  it('is deterministic for a seed and different across seeds', async () => {
    const a = await engine.sample({ ...base, sampler: 'euler_a' });
    const b = await engine.sample({ ...base, sampler: 'euler_a' });
    const c = await engine.sample({ ...base, sampler: 'euler_a', seed: 2 });
    expect(maxAbsDiff(a.images.data, b.images.data)).toBe(0);
    expect(maxAbsDiff(a.images.data, c.images.data)).toBeGreaterThan(0.01);
  });

  it.each([
    [{ steps: 0 }, 'expected steps to be an integer from 1 to 150, received 0'],
    [{ width: 100 }, 'expected width to be a multiple of 8, received 100'],
    [{ width: 4096 }, 'expected width to be an integer from 64 to 2048, received 4096'],
    [{ sampler: 'plms' }, 'expected sampler to be one of ddim, euler, euler_a, dpmpp_2m_karras, received "plms"'],
    [{ guidanceScale: Number.NaN }, 'expected guidanceScale to be a number from 0 to 30, received NaN'],
    [{ prompt: 42 }, 'expected prompt to be a string or an array of strings, received 42'],
    [{ seed: -1 }, 'expected seed to be an integer from 0 to 9007199254740991, received -1'],
    [{ negativePrompt: ['a', 'b'] }, 'expected 1 or 1 negative prompts, received 2'],
    [
      { initImage: { data: new Float32Array(3), shape: [1, 3, 1, 1] } },
      'expected initImage.shape [1 or 1, 3, 64, 64], received [1, 3, 1, 1]',
    ],
  ])('refuses %j with a clear message', async (patch, message) => {
    const error = await rejection(engine.sample({ ...base, ...patch } as SampleRequest));
    expect(error.code).toBe('E_BAD_ARGUMENT');
    expect(error.message).toBe(message);
  });
});

describe('opening checkpoints', () => {
  it('loads fp16- and bf16-stored single files into an fp32 engine', async () => {
    const reference = goldenTensor('pipelines.safetensors', 'txt2img_nocfg.euler_a.images');
    for (const variant of ['-fp16', '-bf16'] as const) {
      const engine = await Engine.open(tinyLdm(variant), { tokenizerDir: tinyTokenizer });
      expect(engine.info.dtype).toBe('fp32');
      expect(engine.info.unusedKeys).toEqual([
        'cond_stage_model.transformer.text_model.embeddings.position_ids',
        'model_ema.decay',
      ]);
      const result = await engine.sample({
        prompt: 'a photo of an astronaut riding a horse',
        steps: 4,
        guidanceScale: 1,
        seed: 3,
        width: 64,
        height: 64,
      });
      // Rounded weights, same model: close to the fp32 golden but not equal.
      expect(psnr(result.images.data, reference.data)).toBeGreaterThan(variant === '-fp16' ? 30 : 20);
      engine.close();
    }
  });

  it('runs in bf16 on the CPU, its UNet close to fp32', async () => {
    const engine = await Engine.open(tinyDiffusers, { dtype: 'bf16' });
    expect(engine.info.dtype).toBe('bf16');
    const inputs = {
      sample: goldenTensor('models.safetensors', 'unet.sample'),
      timestep: goldenTensor('models.safetensors', 'unet.timestep'),
      context: goldenTensor('models.safetensors', 'unet.encoder_hidden_states'),
    };
    const bf16 = engine.diagnostics.unetForward(inputs, false).out;
    const fp32 = goldenTensor('models.safetensors', 'unet.out');
    // bf16 keeps 8 bits of mantissa: about 1% of the output's range.
    expect(maxAbsDiff(bf16.data, fp32.data)).toBeLessThan(0.05 * maxAbs(fp32.data));
    // Sampling draws its noise in bf16 as diffusers does, so images differ from fp32's; they must be valid.
    const result = await engine.sample({ ...base, guidanceScale: 1 });
    expect(result.images.data.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)).toBe(true);
    engine.close();
  });

  it('refuses fp16 on the CPU and CUDA when there is no GPU, with hints', async () => {
    const fp16 = await rejection(Engine.open(tinyDiffusers, { dtype: 'fp16' }));
    expect(fp16.code).toBe('E_BAD_ARGUMENT');
    expect(fp16.hint).toMatch(/fp32|bf16/);
    if (!addon().cudaAvailable()) {
      const cuda = await rejection(Engine.open(tinyDiffusers, { device: 'cuda:0' }));
      expect(cuda.code).toBe('E_DEVICE');
      expect(cuda.hint).toMatch(/CUDA/);
    }
    const device = await rejection(Engine.open(tinyDiffusers, { device: 'tpu' }));
    expect(device.message).toBe('expected device "cpu", "cuda" or "cuda:N", received "tpu"');
  });

  it('refuses a tokenizer bigger than the text encoder', async () => {
    const error = await rejection(Engine.open(tinyLdm()));
    expect(error.code).toBe('E_BAD_CHECKPOINT');
    expect(error.message).toMatch(/expected a tokenizer of at most 1514 tokens/);
  });

  it('refuses pickles and missing files with typed errors', async () => {
    expect((await rejection(Engine.open('/no/such/model.safetensors'))).code).toBe('E_FILE_NOT_FOUND');
    expect((await rejection(Engine.open('/no/such/model.ckpt'))).code).toMatch(/E_PICKLE_REFUSED|E_FILE_NOT_FOUND/);
  });
});
