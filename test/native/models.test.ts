// Each model of the engine against transformers/diffusers on the same tiny random weights (test/golden).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Engine } from '../../native/lib/engine.js';
import { goldenTensor, maxAbs, maxAbsDiff, tinyDiffusers, tinyLdm, tinyTokenizer } from '../helpers/golden.js';

const file = 'models.safetensors';
const TOLERANCE = 1e-4;

for (const [layout, path] of [
  ['diffusers folder', tinyDiffusers],
  ['LDM single file', tinyLdm()],
] as const) {
  describe(`models from the ${layout}`, () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await Engine.open(path, { tokenizerDir: tinyTokenizer });
    });
    afterAll(() => engine.close());

    it('CLIP text encoder last_hidden_state matches transformers', () => {
      const ids = goldenTensor(file, 'clip.input_ids');
      const rows = [0, 1].map((r) => Array.from(ids.data.slice(r * 77, r * 77 + 77)));
      const out = engine.diagnostics.textForward(rows);
      const expected = goldenTensor(file, 'clip.last_hidden_state');
      expect(out.shape).toEqual(expected.shape);
      expect(maxAbsDiff(out.data, expected.data)).toBeLessThan(TOLERANCE);
    });

    it('UNet output and every cross-attention map match diffusers', () => {
      const { out, attention } = engine.diagnostics.unetForward(
        {
          sample: goldenTensor(file, 'unet.sample'),
          timestep: goldenTensor(file, 'unet.timestep'),
          context: goldenTensor(file, 'unet.encoder_hidden_states'),
        },
        true,
      );
      const expected = goldenTensor(file, 'unet.out');
      expect(out.shape).toEqual(expected.shape);
      expect(maxAbs(expected.data)).toBeGreaterThan(0.1);
      expect(maxAbsDiff(out.data, expected.data)).toBeLessThan(TOLERANCE);
      const layers = Object.keys(attention).sort();
      expect(layers).toHaveLength(16);
      for (const layer of layers) {
        const golden = goldenTensor(file, `unet.attn_probs.${layer}`);
        expect(attention[layer]?.shape).toEqual(golden.shape);
        expect(maxAbsDiff(attention[layer]!.data, golden.data)).toBeLessThan(1e-5);
      }
    });

    it('UNet on an odd, non-square latent (explicit upsample sizes) matches diffusers', () => {
      const { out } = engine.diagnostics.unetForward(
        {
          sample: goldenTensor(file, 'unet_odd.sample'),
          timestep: goldenTensor(file, 'unet_odd.timestep'),
          context: goldenTensor(file, 'unet_odd.encoder_hidden_states'),
        },
        false,
      );
      expect(maxAbsDiff(out.data, goldenTensor(file, 'unet_odd.out').data)).toBeLessThan(TOLERANCE);
    });

    it('VAE posterior, seeded posterior sample and decoder match diffusers', () => {
      const encoded = engine.diagnostics.vaeEncode(goldenTensor(file, 'vae.image'), 7);
      expect(maxAbsDiff(encoded.mean.data, goldenTensor(file, 'vae.posterior_mean').data)).toBeLessThan(TOLERANCE);
      expect(maxAbsDiff(encoded.logvar.data, goldenTensor(file, 'vae.posterior_logvar').data)).toBeLessThan(TOLERANCE);
      expect(maxAbsDiff(encoded.sample.data, goldenTensor(file, 'vae.latent_sample').data)).toBeLessThan(TOLERANCE);
      const decoded = engine.diagnostics.vaeDecode(goldenTensor(file, 'vae.latent_in'));
      expect(maxAbsDiff(decoded.data, goldenTensor(file, 'vae.decoded').data)).toBeLessThan(TOLERANCE);
    });
  });
}
