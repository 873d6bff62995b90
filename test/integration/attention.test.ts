// Attention maps end to end on the tiny model: generations.generate with captureAttention stores one blob per
// portrait (library/attention-maps.ts), and generations.attention reads it back with the prompt's tokens, the layer
// groups, the step ranges and one map per token whose cells hold attention probabilities.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { AttentionMaps, Generation, Job } from '../../src-main/common/api/index.js';
import { ApiDispatcher } from '../../src-main/server/api/dispatcher.js';
import { StagingArea } from '../../src-main/server/api/staging.js';
import { decodeAttention, encodeAttention, stepRanges, captureSteps } from '../../src-main/services/library/attention-maps.js';
import { Studio } from '../../src-main/services/studio/index.js';
import { built, consentToEverything, studioOptions, tinyRecipe } from '../helpers/studio-fixtures.js';

describe('the attention-map blob', () => {
  it('splits the steps into early, middle and late and captures a few of each', () => {
    expect(stepRanges(2)).toEqual([{ first: 0, last: 0 }, { first: 1, last: 1 }]);
    expect(stepRanges(50)).toEqual([{ first: 0, last: 15 }, { first: 16, last: 32 }, { first: 33, last: 49 }]);
    expect(captureSteps(50)).toHaveLength(12);
  });

  it('reads back what it wrote within one part in 255 of each map’s peak, and refuses a foreign file', () => {
    const map = Float32Array.from({ length: 2 * 4 }, (_, i) => i / 10);
    const summary = { tokens: ['a', 'b'], groups: ['up' as const], stepRanges: [{ first: 0, last: 1 }], steps: 2, resolution: 2, maps: [[map]] };
    const back = decodeAttention(encodeAttention(summary));
    expect(back).toMatchObject({ tokens: ['a', 'b'], groups: ['up'], steps: 2, resolution: 2 });
    back.maps[0]![0]!.forEach((v, i) => expect(Math.abs(v - map[i]!)).toBeLessThanOrEqual(0.7 / 255));
    expect(() => decodeAttention(Buffer.from('not a blob'))).toThrow(/expected an attention-map blob \(MCAT1\), received 10 bytes/);
  });
});

describe.skipIf(!built)('generations.attention on the tiny model (needs npx tsc -p tsconfig.json)', () => {
  const root = mkdtempSync(join(tmpdir(), 'magicapture-attention-'));
  let studio: Studio;
  let api: ApiDispatcher;
  let projectId: number;

  beforeAll(async () => {
    studio = await Studio.open(studioOptions(join(root, 'library')));
    api = new ApiDispatcher({ studio, staging: new StagingArea(join(root, 'staging')), mode: 'server' });
    const { client } = await studio.clients.create({ name: 'Attention', consent: consentToEverything });
    projectId = studio.projects.create({ clientId: client.id, name: 'Maps' }).id;
  });
  afterAll(async () => {
    api?.close();
    await studio?.close();
    rmSync(root, { recursive: true, force: true });
  });

  async function generate(captureAttention: boolean): Promise<Generation> {
    const job = (await api.call('generations.generate', { projectId, trainingRunId: null, recipe: { prompt: 'a portrait of a woman', ...tinyRecipe, steps: 4, seed: 5 }, count: 1, captureAttention })) as Job;
    const settled = await studio.jobs.waitFor(job.id);
    expect(settled.state, settled.error?.message).toBe('done');
    const [generationId] = (settled.result as { generationIds: number[] }).generationIds;
    return (await api.call('generations.show', { generationId })) as Generation;
  }

  it('returns per-token maps for each layer group and step range, each cell a probability', async () => {
    const generation = await generate(true);
    expect(generation.attentionMapsBlob).toMatch(/^[0-9a-f]{64}$/);
    const maps = (await api.call('generations.attention', { generationId: generation.id })) as AttentionMaps;
    expect(maps.tokens[0]).toBe('<|startoftext|>');
    expect(maps.tokens.at(-1)).toBe('<|endoftext|>');
    expect(maps.tokens.length).toBeGreaterThan(3);
    expect(maps.groups).toEqual(['down', 'mid', 'up'].filter((g) => maps.groups.includes(g as never)));
    expect(maps.groups).toContain('up');
    expect(maps.stepRanges).toEqual([{ first: 0, last: 0 }, { first: 1, last: 1 }, { first: 2, last: 3 }]);
    expect(maps).toMatchObject({ generationId: generation.id, steps: 4 });
    // 16 asked for; the engine keeps no more cells than the largest attention layer has (8 × 8 at 64 px).
    expect(maps.resolution).toBe(8);
    const plane = maps.resolution ** 2;
    expect(maps.maps).toHaveLength(maps.groups.length);
    for (const row of maps.maps) {
      expect(row).toHaveLength(maps.stepRanges.length);
      for (const perToken of row) {
        expect(perToken).toHaveLength(maps.tokens.length);
        for (const map of perToken) expect(map).toHaveLength(plane);
        for (let p = 0; p < plane; p++) {
          const sum = perToken.reduce((total, map) => total + map[p]!, 0);
          // The kept tokens take a share of each cell's attention; quantization may nudge the total by a few 1/255.
          expect(sum).toBeGreaterThan(0);
          expect(sum).toBeLessThanOrEqual(1.02);
        }
        // A map that varies over the image, not a constant.
        const words = perToken.slice(1, -1).flat();
        expect(Math.max(...words)).toBeGreaterThan(Math.min(...words));
      }
    }
  });

  it('says so when the portrait was made without capture, and refuses a bad id', async () => {
    const plain = await generate(false);
    expect(plain.attentionMapsBlob).toBeNull();
    await expect(api.call('generations.attention', { generationId: plain.id })).rejects.toMatchObject({
      code: 'not_found',
      message: `expected a portrait generated with attention capture, received portrait ${plain.id}, which has no maps`,
    });
    await expect(api.call('generations.attention', { generationId: 999 })).rejects.toMatchObject({ code: 'not_found' });
    await expect(api.call('generations.generate', { projectId, recipe: { prompt: 'p' }, captureAttention: 'yes' })).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/expected captureAttention to be/),
    });
  });
});
