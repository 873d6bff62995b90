// LoRA adapters and placeholder tokens on the tiny model: target selection and order, the goldens of
// test/golden/golden_lora.py (both file formats), exports and round trips, scales, and bad files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { Engine, type SampleResult } from '../../native/lib/engine.js';
import { EngineError } from '../../native/lib/errors.js';
import {
  loadSafetensorsTensor,
  readSafetensorsHeader,
  type SafetensorsDType,
  type TensorToWrite,
  writeSafetensors,
} from '../../native/lib/io.js';
import { inspectLora, type LoraStatus } from '../../native/lib/lora.js';
import type { SampleRequest } from '../../native/lib/sample-request.js';
import { goldenDir, goldenJson, goldenTensor, maxAbs, maxAbsDiff, tinyDiffusers } from '../helpers/golden.js';

interface LoraGolden {
  params: {
    prompt: string;
    negative_prompt: string;
    num_inference_steps: number;
    guidance_scale: number;
    seed: number;
  };
  cases: Record<'lora' | 'tokens_only', { unet_scale: number; text_scale: number }>;
  tokens: Record<string, number>;
  prompt_ids: number[];
  rank: number;
  targets: { unet: string[]; text_encoder: string[] };
  target_parameters: { unet: number; text_encoder: number };
  sd15_targets: Record<'unet' | 'text_encoder', { modules: number; parameters: number }>;
}

const golden = goldenJson<LoraGolden>('lora.json');
const officialFile = join(goldenDir, 'lora_magicapture.safetensors');
const kohyaFile = join(goldenDir, 'lora_kohya.safetensors');
const PLAIN_PROMPT = 'a photo of an astronaut riding a horse';

const request = (prompt = golden.params.prompt): SampleRequest => ({
  prompt,
  negativePrompt: golden.params.negative_prompt,
  steps: golden.params.num_inference_steps,
  guidanceScale: golden.params.guidance_scale,
  seed: golden.params.seed,
  sampler: 'euler_a',
  width: 64,
  height: 64,
  returnLatents: true,
});

function expectGolden(result: SampleResult, which: 'lora' | 'tokens_only'): void {
  const images = goldenTensor('lora.safetensors', `${which}.images`);
  expect(result.images.shape).toEqual(images.shape);
  expect(maxAbsDiff(result.images.data, images.data)).toBeLessThanOrEqual(1e-3);
  const latents = goldenTensor('lora.safetensors', `${which}.latents`);
  expect(maxAbsDiff(result.latents!.data, latents.data)).toBeLessThan(5e-4);
}

function expectPromptEmbeds(engine: Engine, which: 'lora' | 'tokens_only'): void {
  const embeds = goldenTensor('lora.safetensors', `${which}.prompt_embeds`); // [negative, positive]
  const ids = [engine.tokenizer.encode(golden.params.negative_prompt), engine.tokenizer.encode(golden.params.prompt)];
  const ours = engine.diagnostics.textForward(ids);
  expect(ours.shape).toEqual(embeds.shape);
  expect(maxAbsDiff(ours.data, embeds.data)).toBeLessThan(1e-4);
}

async function expectEngineError(
  promise: Promise<unknown> | (() => unknown),
  code: string,
  message: RegExp,
): Promise<EngineError> {
  let caught: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(EngineError);
  const e = caught as EngineError;
  expect(e.code).toBe(code);
  expect(e.message).toMatch(message);
  if (code !== 'E_BAD_ARGUMENT') expect(e.hint.length).toBeGreaterThan(0); // a file problem says what to do
  return e;
}

interface FileTensor extends TensorToWrite {
  dtype: SafetensorsDType;
}

function readAll(path: string): { metadata: Record<string, string>; tensors: FileTensor[] } {
  const header = readSafetensorsHeader(path);
  const tensors = header.tensors.map((t) => {
    const loaded = loadSafetensorsTensor(path, t.name);
    return { name: t.name, shape: loaded.shape, data: loaded.data, dtype: loaded.dtype };
  });
  return { metadata: header.metadata, tensors };
}

function tensorMap(path: string): Map<string, FileTensor> {
  return new Map(readAll(path).tensors.map((t) => [t.name, t]));
}

describe('LoRA targets', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.open(tinyDiffusers);
  });
  afterAll(() => engine.close());

  it('selects 9 linears per transformer block and the CLIP q/k/v/out projections, in the official order', () => {
    const { unet, textEncoder } = engine.loraDiagnostics.targets();
    // The tiny UNet has SD1.5's 16 transformer blocks: 144 targets as on SD1.5; its CLIP has 3 layers (SD1.5: 12 -> 48).
    expect(unet).toHaveLength(144);
    expect(textEncoder).toHaveLength(12);
    expect(unet.map((t) => t.path)).toEqual(golden.targets.unet);
    expect(textEncoder.map((t) => t.path)).toEqual(golden.targets.text_encoder);
    const suffixCount = (s: string) => unet.filter((t) => t.path.endsWith(s)).length;
    const leaves = ['attn1.to_q', 'attn1.to_k', 'attn1.to_v', 'attn1.to_out.0', 'attn2.to_q', 'attn2.to_out.0', 'ff.net.0.proj'];
    for (const s of leaves) expect(suffixCount(s)).toBe(16);
    // Official order: down blocks, then up blocks, then the mid block; attn1, ff, attn2 inside a block; k, v, q, out.
    expect(unet[4]!.path).toBe('down_blocks.0.attentions.0.transformer_blocks.0.ff.net.0.proj');
    expect(unet[54]!.path).toBe('up_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q');
    expect(unet[135]!.path).toBe('mid_block.attentions.0.transformer_blocks.0.attn1.to_q');
    expect(textEncoder.slice(0, 4).map((t) => t.path.split('.').pop())).toEqual(['k_proj', 'v_proj', 'q_proj', 'out_proj']);
    const params = (list: typeof unet) => list.reduce((n, t) => n + golden.rank * (t.in + t.out), 0);
    expect(params(unet)).toBe(golden.target_parameters.unet);
    expect(params(textEncoder)).toBe(golden.target_parameters.text_encoder);
    expect(unet.every((t) => t.adapter === null)).toBe(true);
    // The same rule on the real SD1.5 structure (measured by the golden script): METHOD.md §3's counts.
    expect(golden.sd15_targets).toEqual({
      unet: { modules: 144, parameters: 1_246_464 },
      text_encoder: { modules: 48, parameters: 294_912 },
    });
  });

  it('injects trainable adapters with up = 0 (the base model exactly) and down ~ N(0, 1/r^2)', async () => {
    const base = await engine.sample(request(PLAIN_PROMPT));
    const status = await engine.loraDiagnostics.inject({ rank: 4, seed: 5 });
    expect(status).toMatchObject({ format: '', unetAdapters: 144, textAdapters: 12, rank: 4, unetScale: 1, textScale: 1 });
    const injected = await engine.sample(request(PLAIN_PROMPT));
    expect(maxAbsDiff(injected.images.data, base.images.data)).toBe(0);

    const dir = mkdtempSync(join(tmpdir(), 'lora-inject-'));
    try {
      const path = join(dir, 'fresh.safetensors');
      await engine.saveLora(path, 'magicapture');
      const { metadata, tensors } = readAll(path);
      expect(JSON.parse(metadata['unet']!)).toEqual(['CrossAttention', 'Attention', 'GEGLU']);
      expect(JSON.parse(metadata['text_encoder']!)).toEqual(['CLIPAttention']);
      expect(metadata['unet:143:rank']).toBe('4');
      expect(tensors.filter((t) => t.name.endsWith(':up')).every((t) => maxAbs(t.data) === 0)).toBe(true);
      const downs = tensors.filter((t) => t.name.endsWith(':down'));
      expect(downs).toHaveLength(156);
      expect(downs.every((t) => t.dtype === 'F16')).toBe(true);
      const values = downs.flatMap((t) => Array.from(t.data));
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
      expect(Math.abs(mean)).toBeLessThan(0.01);
      expect(std).toBeGreaterThan(0.24);
      expect(std).toBeLessThan(0.26);
      // The same seed gives the same adapters.
      await engine.loraDiagnostics.inject({ rank: 4, seed: 5 });
      const again = join(dir, 'again.safetensors');
      await engine.saveLora(again, 'magicapture');
      expect(tensorMap(again).get('unet:7:down')!.data).toEqual(tensorMap(path).get('unet:7:down')!.data);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await engine.clearLora();
    }
  });

  it('refuses a rank above a layer width', async () => {
    await expectEngineError(engine.loraDiagnostics.inject({ rank: 9 }), 'E_BAD_ARGUMENT', /rank from 1 to 8/);
    expect((await engine.loraStatus()).unetAdapters).toBe(0);
  });
});

describe('LoRA goldens (golden_lora.py)', () => {
  let engine: Engine;
  beforeEach(async () => {
    engine?.close();
    engine = await Engine.open(tinyDiffusers);
  });
  afterAll(() => engine.close());

  it('inspects both files from their headers', () => {
    expect(inspectLora(officialFile)).toMatchObject({
      format: 'magicapture',
      unetAdapters: 144,
      textAdapters: 12,
      rank: 4,
      tokens: ['<sks>', '<style1>'],
    });
    expect(inspectLora(kohyaFile)).toMatchObject({ format: 'kohya', unetAdapters: 144, textAdapters: 12, rank: 4, tokens: [] });
  });

  it('the MagiCapture file at 0.6 / 0.9 reproduces the images', async () => {
    const status = await engine.loadLora(officialFile);
    expect(status).toEqual<LoraStatus>({
      format: 'magicapture',
      unetAdapters: 144,
      textAdapters: 12,
      rank: 4,
      unetScale: 0.6,
      textScale: 0.9,
      tokens: [
        { token: '<sks>', id: golden.tokens['<sks>']! },
        { token: '<style1>', id: golden.tokens['<style1>']! },
      ],
    });
    expect(engine.tokenizer.encode(golden.params.prompt)).toEqual(golden.prompt_ids);
    expectPromptEmbeds(engine, 'lora');
    expectGolden(await engine.sample(request()), 'lora');
  });

  it('the kohya file with the same embeddings reproduces the images', async () => {
    // The kohya file has no embeddings: load them from the official file first, then replace its adapters.
    await engine.loadLora(officialFile);
    const status = await engine.loadLora(kohyaFile);
    expect(status).toMatchObject({ format: 'kohya', unetAdapters: 144, textAdapters: 12, unetScale: 0.6, textScale: 0.9 });
    expect(status.tokens.map((t) => t.token)).toEqual(['<sks>', '<style1>']);
    expectGolden(await engine.sample(request()), 'lora');
  });

  it('scales 0 / 0 give the tokens-only golden, and the base model exactly', async () => {
    const base = await engine.sample(request(PLAIN_PROMPT));
    await engine.loadLora(officialFile, { unetScale: 0, textScale: 0 });
    expectPromptEmbeds(engine, 'tokens_only');
    expectGolden(await engine.sample(request()), 'tokens_only');
    expect(maxAbsDiff((await engine.sample(request(PLAIN_PROMPT))).images.data, base.images.data)).toBe(0);
    const status = await engine.setLoraScales(0.6, 0.9);
    expect(status).toMatchObject({ unetScale: 0.6, textScale: 0.9 });
    expect(engine.loraDiagnostics.targets().unet.every((t) => t.adapter?.scale === 0.6)).toBe(true);
    expect(engine.loraDiagnostics.targets().textEncoder.every((t) => t.adapter?.scale === 0.9)).toBe(true);
    expectGolden(await engine.sample(request()), 'lora');
  });

  it('clearLora restores the base model and the vocabulary; loading again works', async () => {
    const base = await engine.sample(request(PLAIN_PROMPT));
    await engine.loadLora(officialFile);
    const cleared = await engine.clearLora();
    expect(cleared).toMatchObject({ format: '', unetAdapters: 0, textAdapters: 0, rank: 0, tokens: [] });
    expect(maxAbsDiff((await engine.sample(request(PLAIN_PROMPT))).images.data, base.images.data)).toBe(0);
    await expectEngineError(engine.sample(request()), 'E_BAD_ARGUMENT', /below the vocabulary size 1514/);
    await engine.loadLora(officialFile);
    expectGolden(await engine.sample(request()), 'lora');
  });
});

describe('LoRA export formats', () => {
  let engine: Engine;
  let dir: string;
  beforeAll(async () => {
    engine = await Engine.open(tinyDiffusers);
    await engine.loadLora(officialFile);
    dir = mkdtempSync(join(tmpdir(), 'lora-export-'));
  });
  afterAll(() => {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('magicapture: the same tensors and metadata as the official file', async () => {
    const path = join(dir, 'official.safetensors');
    await engine.saveLora(path, 'magicapture');
    const ours = readAll(path);
    const theirs = readAll(officialFile);
    expect(ours.metadata).toEqual(theirs.metadata);
    const expected = new Map(theirs.tensors.map((t) => [t.name, t]));
    expect(ours.tensors.map((t) => t.name).sort()).toEqual([...expected.keys()].sort());
    for (const t of ours.tensors) {
      const e = expected.get(t.name)!;
      expect({ name: t.name, dtype: t.dtype, shape: t.shape }).toEqual({ name: e.name, dtype: e.dtype, shape: e.shape });
      expect(maxAbsDiff(t.data, e.data)).toBe(0);
    }
  });

  it('kohya: the same tensors as the golden kohya file, with ss_* metadata', async () => {
    const path = join(dir, 'kohya.safetensors');
    await engine.saveLora(path, 'kohya');
    const ours = readAll(path);
    expect(ours.metadata).toMatchObject({
      ss_network_module: 'networks.lora',
      ss_network_dim: '4',
      ss_network_alpha: '4',
      ss_base_model_version: 'sd_v1',
    });
    const expected = tensorMap(kohyaFile);
    expect(ours.tensors.map((t) => t.name).sort()).toEqual([...expected.keys()].sort());
    for (const t of ours.tensors) {
      expect(t.shape).toEqual(expected.get(t.name)!.shape);
      expect(maxAbsDiff(t.data, expected.get(t.name)!.data)).toBe(0);
    }
  });

  it('embedding: one A1111 file per token, loadable under its own or another name', async () => {
    const path = join(dir, 'sks.safetensors');
    await expectEngineError(engine.saveLora(path, 'embedding'), 'E_BAD_ARGUMENT', /one of <sks>, <style1>/);
    await engine.saveLora(path, 'embedding', { token: '<sks>' });
    const file = readAll(path);
    expect(file.metadata['name']).toBe('<sks>');
    expect(file.tensors.map((t) => [t.name, t.shape])).toEqual([['emb_params', [1, 32]]]);
    expect(file.tensors[0]!.data).toEqual(goldenTensor('lora.safetensors', 'token.<sks>').data);

    const fresh = await Engine.open(tinyDiffusers);
    try {
      const status = await fresh.loadLora(path);
      expect(status).toMatchObject({ format: 'embedding', unetAdapters: 0, tokens: [{ token: '<sks>', id: 1514 }] });
      const renamed = await fresh.loadLora(path, { token: 'me-token' });
      expect(renamed.tokens).toEqual([
        { token: '<sks>', id: 1514 },
        { token: 'me-token', id: 1515 },
      ]);
      expect(fresh.tokenizer.encode('a me-token person')).toContain(1515);
    } finally {
      fresh.close();
    }
  });

  it('round trip: every exported format loads back to the golden images', async () => {
    const official = join(dir, 'rt-official.safetensors');
    const kohya = join(dir, 'rt-kohya.safetensors');
    const sks = join(dir, 'rt-sks.safetensors');
    const style = join(dir, 'rt-style1.safetensors');
    await engine.saveLora(official, 'magicapture');
    await engine.saveLora(kohya, 'kohya');
    await engine.saveLora(sks, 'embedding', { token: '<sks>' });
    await engine.saveLora(style, 'embedding', { token: '<style1>' });
    const a = await Engine.open(tinyDiffusers);
    const b = await Engine.open(tinyDiffusers);
    try {
      await a.loadLora(official);
      expectGolden(await a.sample(request()), 'lora');
      await b.loadLora(sks);
      await b.loadLora(style);
      await b.loadLora(kohya);
      expectGolden(await b.sample(request()), 'lora');
    } finally {
      a.close();
      b.close();
    }
  });

  it('kohya alpha scales the adapter (alpha 2 at rank 4 with a doubled up gives the same images)', async () => {
    const path = join(dir, 'alpha2.safetensors');
    const { metadata, tensors } = readAll(kohyaFile);
    writeSafetensors(
      path,
      tensors.map((t) => {
        if (t.name.endsWith('.alpha')) return { ...t, data: new Float32Array([2]) };
        if (t.name.endsWith('.lora_up.weight')) return { ...t, data: t.data.map((v) => v * 2), dtype: 'F32' as const };
        return t;
      }),
      metadata,
    );
    const fresh = await Engine.open(tinyDiffusers);
    try {
      await fresh.loadLora(officialFile);
      await fresh.loadLora(path);
      expectGolden(await fresh.sample(request()), 'lora');
    } finally {
      fresh.close();
    }
  });
});

describe('bad LoRA files', () => {
  let engine: Engine;
  let dir: string;
  let official: FileTensor[];
  let officialMeta: Record<string, string>;
  let kohya: FileTensor[];
  let before: SampleResult;
  beforeAll(async () => {
    engine = await Engine.open(tinyDiffusers);
    await engine.loadLora(kohyaFile, { unetScale: 1, textScale: 1 });
    before = await engine.sample(request(PLAIN_PROMPT));
    dir = mkdtempSync(join(tmpdir(), 'lora-bad-'));
    ({ tensors: official, metadata: officialMeta } = readAll(officialFile));
    kohya = readAll(kohyaFile).tensors;
  });
  afterAll(async () => {
    // A refused file changes nothing: the adapters and scales of the earlier load are still there.
    expect(await engine.loraStatus()).toMatchObject({ format: 'kohya', unetAdapters: 144, unetScale: 1, tokens: [] });
    expect(maxAbsDiff((await engine.sample(request(PLAIN_PROMPT))).images.data, before.images.data)).toBe(0);
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const zeros = (name: string, shape: number[]): TensorToWrite => ({
    name,
    shape,
    data: new Float32Array(shape.reduce((a, b) => a * b, 1)),
  });
  let n = 0;
  const write = (tensors: TensorToWrite[], metadata: Record<string, string> = {}) => {
    const path = join(dir, `bad-${n++}.safetensors`);
    writeSafetensors(path, tensors, metadata);
    return path;
  };

  it('a pickle is refused', async () => {
    const path = join(dir, 'lora.safetensors');
    writeFileSync(path, Buffer.from([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e, 0, 0, 0, 0, 0, 0]));
    await expectEngineError(engine.loadLora(path), 'E_PICKLE_REFUSED', /pickle/i);
    const zip = join(dir, 'lora.pt.safetensors');
    writeFileSync(zip, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(64)]));
    await expectEngineError(engine.loadLora(zip), 'E_PICKLE_REFUSED', /pickle/i);
  });

  it('a missing file, a model checkpoint and a diffusers/PEFT LoRA get clear errors', async () => {
    await expectEngineError(engine.loadLora(join(dir, 'nope.safetensors')), 'E_FILE_NOT_FOUND', /nope/);
    await expectEngineError(
      engine.loadLora(join(tinyDiffusers, 'unet', 'diffusion_pytorch_model.safetensors')),
      'E_UNSUPPORTED_FORMAT',
      /not a LoRA or embedding file/,
    );
    const peft = write([zeros('unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.lora_A.weight', [4, 8])]);
    await expectEngineError(engine.loadLora(peft), 'E_UNSUPPORTED_FORMAT', /PEFT/);
  });

  it('wrong shapes name the tensor, the module and both shapes', async () => {
    const tensors = official.map((t) => (t.name === 'unet:0:down' ? { ...t, shape: [4, 16], data: new Float32Array(64) } : t));
    await expectEngineError(
      engine.loadLora(write(tensors, officialMeta)),
      'E_BAD_CHECKPOINT',
      /unet:0:down \(down_blocks\.0\.attentions\.0\.transformer_blocks\.0\.attn1\.to_q\): expected \[rank, 8\], received \[4, 16]/,
    );
    const up = kohya.map((t) =>
      t.name === 'lora_te_text_model_encoder_layers_2_self_attn_out_proj.lora_up.weight'
        ? { ...t, shape: [64, 4], data: new Float32Array(256) }
        : t,
    );
    await expectEngineError(
      engine.loadLora(write(up)),
      'E_BAD_CHECKPOINT',
      /out_proj\.lora_up\.weight: expected \[32, 4\], received \[64, 4\]/,
    );
    const token = official.map((t) => (t.name === '<sks>' ? { ...t, shape: [768], data: new Float32Array(768) } : t));
    await expectEngineError(engine.loadLora(write(token, officialMeta)), 'E_BAD_CHECKPOINT', /<sks>.*expected \[32\]/);
  });

  it('unknown and missing modules are reported', async () => {
    const projIn = 'lora_unet_down_blocks_0_attentions_0_proj_in';
    const extra = [zeros(`${projIn}.lora_down.weight`, [4, 8]), zeros(`${projIn}.lora_up.weight`, [8, 4])];
    await expectEngineError(
      engine.loadLora(write([...kohya, ...extra])),
      'E_BAD_CHECKPOINT',
      new RegExp(`1 modules are not adapter targets of this model: ${projIn}`),
    );
    const sdxl = write([zeros('lora_te1_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight', [4, 768])]);
    const e = await expectEngineError(engine.loadLora(sdxl), 'E_BAD_CHECKPOINT', /not adapter targets/);
    expect(e.hint).toMatch(/SDXL/);
    const midProj = 'lora_unet_mid_block_attentions_0_transformer_blocks_0_ff_net_0_proj';
    const noUp = kohya.filter((t) => t.name !== `${midProj}.lora_up.weight`);
    await expectEngineError(engine.loadLora(write(noUp)), 'E_BAD_CHECKPOINT', /ff_net_0_proj\.lora_up\.weight is missing/);
    const lycoris = write([...kohya, zeros('lora_unet_mid_block_attentions_0_transformer_blocks_0_attn1_to_q.hada_w1_a', [4])]);
    await expectEngineError(engine.loadLora(lycoris), 'E_UNSUPPORTED_FORMAT', /LyCORIS/);

    const missing = official.filter((t) => !t.name.startsWith('unet:143:'));
    await expectEngineError(
      engine.loadLora(write(missing, officialMeta)),
      'E_BAD_CHECKPOINT',
      new RegExp(
        'expected 144 UNet adapters \\(unet:0 to unet:143\\), received 143; ' +
          'unet:143 \\(mid_block\\.attentions\\.0\\.transformer_blocks\\.0\\.attn2\\.to_out\\.0\\) is missing',
      ),
    );
    const beyond = [...official, zeros('text_encoder:12:up', [32, 4]), zeros('text_encoder:12:down', [4, 32])];
    await expectEngineError(
      engine.loadLora(write(beyond, officialMeta)),
      'E_BAD_CHECKPOINT',
      /text_encoder:12 has no module to adapt: this model has 12/,
    );
    const stray = write([...official, zeros('mystery', [1])], officialMeta);
    await expectEngineError(engine.loadLora(stray), 'E_BAD_CHECKPOINT', /unknown tensor "mystery"/);
    const extended = write(official, { ...officialMeta, unet: '["ResnetBlock2D", "CrossAttention"]' });
    await expectEngineError(engine.loadLora(extended), 'E_UNSUPPORTED_FORMAT', /ResnetBlock2D/);
    const badRank = write(official, { ...officialMeta, 'unet:3:rank': '8' });
    await expectEngineError(engine.loadLora(badRank), 'E_BAD_CHECKPOINT', /unet:3:rank says "8"/);
  });

  it('NaN values and bad arguments are refused', async () => {
    const nan = kohya.map((t) =>
      t.name.endsWith('attn2_to_v.lora_down.weight') ? { ...t, data: t.data.map(() => Number.NaN), dtype: 'F32' as const } : t,
    );
    await expectEngineError(engine.loadLora(write(nan)), 'E_BAD_CHECKPOINT', /NaN or infinite/);
    const special = write([zeros('<|endoftext|>', [32])], { '<|endoftext|>': '<embed>' });
    await expectEngineError(engine.loadLora(special), 'E_BAD_CHECKPOINT', /would replace a special token/);
    await expectEngineError(() => engine.loadLora(officialFile, { unetScale: Number.NaN }), 'E_BAD_ARGUMENT', /UNet LoRA scale/);
    await expectEngineError(() => engine.loadLora(officialFile, { textScale: 11 }), 'E_BAD_ARGUMENT', /from -10 to 10/);
    await expectEngineError(() => engine.saveLora(join(dir, 'x.safetensors'), 'ckpt' as 'kohya'), 'E_BAD_ARGUMENT', /format/);
    await expectEngineError(() => engine.saveLora(join(dir, 'x.pt'), 'kohya'), 'E_BAD_ARGUMENT', /\.safetensors/);
  });
});
