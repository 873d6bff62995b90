// One full training step of every task type against the Python reference (test/golden/golden_training_step.py):
// loss terms, the gradients of the total with respect to the placeholder rows and every LoRA weight, and the
// weights after the update.
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { NativeTensor } from '../../native/lib/addon.js';
import { Engine } from '../../native/lib/engine.js';
import { probeTrainingStep, type TrainingProbeItem, type TrainingProbeResult } from '../../native/lib/training-probe.js';
import type { TrainConfigInput, TrainImageInput } from '../../native/lib/training.js';
import { goldenJson, goldenTensor, maxAbs, maxAbsDiff, repoRoot, tinyDiffusers } from '../helpers/golden.js';

interface GoldenCase {
  phase: 1 | 2;
  task: TrainingProbeItem['task'];
  phase_step: number;
  t: number;
  t_id: number;
  config: TrainConfigInput;
  prompt_ids: number[];
  losses: Record<string, number>;
}
interface GoldenDoc {
  seed: number;
  lr: { ti: number; unet: number; text: number; embedding: number };
  steps: Record<'1' | '2', number>;
  initializer: string;
  cases: Record<string, GoldenCase>;
}

const FILE = 'training_step.safetensors';
const doc = goldenJson<GoldenDoc>('training_step.json');
const golden = (name: string) => goldenTensor(FILE, name);
const arcfacePath = join(repoRoot, 'test', 'fixtures', 'arcface', 'iresnet100-narrow.safetensors');
// fp32 on the CPU through CLIP, two UNet passes, the VAE decoder and a 100-layer ArcFace, in both directions.
const RELATIVE = 1e-4;
// Updates are compared in units of the step's learning rate (as small as 1.6e-5 here): the float32 rounding of a
// weight near 1 is already 4e-4 of that.
const UPDATE = 1e-3;

function image(which: 'source' | 'reference'): TrainImageInput {
  return {
    image: golden(`inputs.${which}.image`),
    faceMask: golden(`inputs.${which}.face_mask`),
    landmarks: Array.from(golden(`inputs.${which}.landmarks`).data),
  };
}

function concat(...tensors: NativeTensor[]): NativeTensor {
  const data = new Float32Array(tensors.reduce((n, t) => n + t.data.length, 0));
  let offset = 0;
  for (const t of tensors) {
    data.set(t.data, offset);
    offset += t.data.length;
  }
  return { data, shape: [data.length] };
}

/** max |a - b| / max |b|: the error relative to the tensor's scale. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return maxAbsDiff(a, b) / Math.max(maxAbs(b), 1e-30);
}

/**
 * max |a - b| / lr over the weights whose reference gradient is at least 1e-4 of the largest. A first AdamW step
 * moves each weight by about lr g / (|g| + 1e-8), so where |g| nears eps any gradient difference is amplified up
 * to lr; elsewhere the two updates must agree to a small fraction of lr.
 */
function updateError(a: ArrayLike<number>, b: ArrayLike<number>, grad: ArrayLike<number>, lr: number): number {
  const floor = 1e-4 * maxAbs(grad);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    if (Math.abs(grad[i] as number) >= floor) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  }
  return max / lr;
}

describe('one MagiCapture training step against the Python reference (fp32, CPU)', () => {
  let engine: Engine;
  const sources = [image('source')];
  const references = [image('reference')];
  const adapterWeights = concat(golden('init.unet_lora'), golden('init.text_lora'));
  const unetSize = golden('init.unet_lora').data.length;

  const probe = (name: string, config: TrainConfigInput = {}): Promise<TrainingProbeResult> => {
    const c = doc.cases[name]!;
    return probeTrainingStep(
      engine,
      sources,
      references,
      {
        phase: c.phase,
        phaseStep: c.phase_step,
        update: true,
        task: c.task,
        source: 0,
        reference: 0,
        latent: golden(`inputs.${c.task === 'instance' ? 'source' : 'reference'}.latent`),
        noise: golden(`${name}.noise`),
        t: c.t,
        tId: c.t_id,
        prompt: c.task === 'instance' ? 'a photo of a <sks> person'
          : c.task === 'style' ? 'a painting of a person in the style of <style1>'
            : 'a photo of a <sks> person in the style of <style1>',
        ...(c.phase === 2 ? { adapterWeights } : {}),
      },
      { initializerToken: doc.initializer, arcfacePath, config: { seed: doc.seed, ...c.config, ...config } },
    );
  };

  beforeAll(async () => {
    engine = await Engine.open(tinyDiffusers);
  });
  afterAll(() => engine.close());

  for (const name of Object.keys(doc.cases)) {
    it(`${name}: loss terms, gradients and the update`, async () => {
      const c = doc.cases[name]!;
      const result = await probe(name);
      expect(result.promptIds).toEqual(c.prompt_ids);
      // The trainer's own initial rows: <sks> copies the initializer, <style1> is randn(seed) * 0.017.
      expect(maxAbsDiff(result.rows.data, golden('init.rows').data)).toBeLessThan(1e-7);
      expect(Object.keys(result.losses).sort()).toEqual(Object.keys(c.losses).sort());
      const report: Record<string, number> = {};
      for (const [term, expected] of Object.entries(c.losses)) {
        report[`loss.${term}`] = Math.abs(result.losses[term]! - expected) / Math.abs(expected);
      }
      report['grad.rows'] = relativeError(result.grads.rows.data, golden(`${name}.grad.rows`).data);
      if (c.phase === 2) {
        const adapters = result.grads.adapters!.data;
        report['grad.unet_lora'] = relativeError(adapters.subarray(0, unetSize), golden(`${name}.grad.unet_lora`).data);
        report['grad.text_lora'] = relativeError(adapters.subarray(unetSize), golden(`${name}.grad.text_lora`).data);
      } else {
        expect(result.grads.adapters).toBeUndefined();
      }
      // The update: learning rate of this step, clip (phase 2), AdamW, TI norm decay (phase 1).
      const factor = 1 - c.phase_step / doc.steps[`${c.phase}`];
      const after = result.after!;
      const updated = (what: string, weights: ArrayLike<number>, lr: number) =>
        updateError(weights, golden(`${name}.after.${what}`).data, golden(`${name}.grad.${what}`).data, lr * factor);
      report['update.rows'] = updated('rows', after.rows.data, c.phase === 1 ? doc.lr.ti : doc.lr.embedding);
      if (c.phase === 2) {
        const weights = after.adapters!.data;
        report['update.unet_lora'] = updated('unet_lora', weights.subarray(0, unetSize), doc.lr.unet);
        report['update.text_lora'] = updated('text_lora', weights.subarray(unetSize), doc.lr.text);
      }
      const rounded = JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' ? Number(v.toExponential(2)) : v));
      console.log(`${name} relative errors (updates: in units of lr): ${rounded}`);
      for (const [what, error] of Object.entries(report)) {
        expect(error, what).toBeLessThan(what.startsWith('update.') ? UPDATE : RELATIVE);
      }
    });
  }

  it('the attention-refocusing loss sends a non-zero gradient to the LoRA weights and the rows (B1 fixed)', async () => {
    for (const name of ['p2_instance', 'p2_style', 'p2_composed']) {
      const withAttention = await probe(name);
      const without = await probe(name, { attentionLoss: false });
      expect(without.losses['attn']).toBeUndefined();
      const part = (a: TrainingProbeResult, b: TrainingProbeResult, from: number, to?: number) =>
        a.grads.adapters!.data.subarray(from, to).map((v, i) => v - b.grads.adapters!.data[from + i]!);
      const unet = part(withAttention, without, 0, unetSize);
      const text = part(withAttention, without, unetSize);
      const rows = withAttention.grads.rows.data.map((v, i) => v - without.grads.rows.data[i]!);
      expect(maxAbs(unet)).toBeGreaterThan(1e-6);
      expect(maxAbs(text)).toBeGreaterThan(1e-6);
      expect(maxAbs(rows)).toBeGreaterThan(1e-6);
      // ... and it is the reference's gradient of 2.5 L_attn (a difference of two probes: a looser bound).
      const errors = {
        unet: relativeError(unet, golden(`${name}.grad_attn.unet_lora`).data),
        text: relativeError(text, golden(`${name}.grad_attn.text_lora`).data),
        rows: relativeError(rows, golden(`${name}.grad_attn.rows`).data),
      };
      console.log(`${name} attention-loss gradient, relative errors: ${JSON.stringify(errors)}`);
      for (const [what, error] of Object.entries(errors)) expect(error, what).toBeLessThan(1e-3);
    }
  });

  it('gradient checkpointing gives the same losses and gradients, the attention-loss gradient included', async () => {
    const name = 'p2_composed';
    const plain = await probe(name);
    const checkpointed = await probe(name, { gradientCheckpointing: true });
    for (const [term, value] of Object.entries(plain.losses)) {
      expect(Math.abs(checkpointed.losses[term]! - value), term).toBeLessThanOrEqual(1e-6 * Math.abs(value));
    }
    expect(relativeError(checkpointed.grads.rows.data, plain.grads.rows.data)).toBeLessThan(1e-5);
    expect(relativeError(checkpointed.grads.adapters!.data, plain.grads.adapters!.data)).toBeLessThan(1e-5);
    // The maps are captured inside checkpointed blocks: without their extra outputs this part would be zero.
    const withoutAttention = await probe(name, { gradientCheckpointing: true, attentionLoss: false });
    const attentionPart = checkpointed.grads.adapters!.data.subarray(0, unetSize)
      .map((v, i) => v - withoutAttention.grads.adapters!.data[i]!);
    expect(relativeError(attentionPart, golden(`${name}.grad_attn.unet_lora`).data)).toBeLessThan(1e-3);
  });
});
