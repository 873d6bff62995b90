// Checkpoint planning and loading on real files: the tiny-sd fixtures (a diffusers folder and the same weights as
// LDM single files in fp32/fp16/bf16, written by test/golden/generate.py) must give identical components; synthetic
// files check layer-count inference, old diffusers VAE names and every refusal.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { addon } from '../../native/lib/addon.js';
import * as io from '../../native/lib/io.js';
import type { CheckpointComponent, ComponentTensor } from '../../native/lib/io.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
// The raw addon functions, to prove that the native side validates arguments too (MAGICAPTURE_ADDON selects a build).
type RawCall = (...args: unknown[]) => unknown;
const native = addon() as unknown as Record<'writeSafetensors' | 'readSafetensorsHeader' | 'loadCheckpointComponent', RawCall>;

const fixtures = join(root, 'test/fixtures/tiny-sd');
const diffusersDir = join(fixtures, 'diffusers');
const ldm = (variant: '' | '-fp16' | '-bf16') => join(fixtures, `tiny-sd-ldm${variant}.safetensors`);
const COMPONENTS: CheckpointComponent[] = ['unet', 'vae', 'textEncoder'];

const dir = mkdtempSync(join(tmpdir(), 'mc-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(fn: () => unknown): { code?: string; message: string; hint?: string } {
  try {
    fn();
  } catch (e) {
    return e as { code?: string; message: string; hint?: string };
  }
  throw new Error('expected the call to throw');
}

const byName = (tensors: ComponentTensor[]) => new Map(tensors.map((t) => [t.name, t]));

/** float32 -> nearest-even bfloat16 -> float32, bit-exact like torch's cast. */
function toBf16(values: Float32Array): Float32Array {
  const out = Float32Array.from(values);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) {
    const lsb = (bits[i]! >>> 16) & 1;
    bits[i] = ((bits[i]! + 0x7fff + lsb) >>> 16) << 16;
  }
  return out;
}

/** float32 -> nearest-even float16 -> float32 (finite inputs within the float16 range). */
function toF16(values: Float32Array): Float32Array {
  const roundEven = (q: number) => (Math.abs(q % 1) === 0.5 ? 2 * Math.round(q / 2) : Math.round(q));
  return values.map((x) => {
    const a = Math.abs(x);
    if (a === 0) return x;
    let e = Math.max(Math.floor(Math.log2(a)), -14);
    if (2 ** e > a && e > -14) e -= 1;
    if (2 ** (e + 1) <= a) e += 1;
    return Math.sign(x) * roundEven(a / 2 ** (e - 10)) * 2 ** (e - 10);
  });
}

/** Counts elements that differ (exact comparison; -0 equals 0). */
function mismatches(a: Float32Array, b: Float32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n + Math.abs(a.length - b.length);
}

/** A tiny F32 tensor for synthetic files, whose value encodes its index. */
const t1 = (name: string, i: number, shape = [1]) => ({
  name,
  shape,
  data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => i),
});

describe('the tiny-sd fixtures', () => {
  it('plans the diffusers folder', () => {
    const info = io.inspectCheckpoint(diffusersDir);
    expect(info.layout).toBe('diffusers');
    expect(info.path).toBe(diffusersDir);
    expect(info.components).toEqual({
      unet: { tensorCount: 684, hasConfig: true },
      vae: { tensorCount: 244, hasConfig: true },
      textEncoder: { tensorCount: 52, hasConfig: true },
    });
    expect(info.tokenizerDir).toBe(join(diffusersDir, 'tokenizer'));
    expect(info.unusedKeys).toEqual([]);
  });

  it.each(['', '-fp16', '-bf16'] as const)('plans the LDM single file%s with its embedded configs', (variant) => {
    const info = io.inspectCheckpoint(ldm(variant));
    expect(info.layout).toBe('ldm');
    expect(info.components).toEqual({
      unet: { tensorCount: 684, hasConfig: true },
      vae: { tensorCount: 244, hasConfig: true },
      textEncoder: { tensorCount: 52, hasConfig: true },
    });
    expect(info.tokenizerDir).toBeNull();
    expect(info.unusedKeys).toEqual(['cond_stage_model.transformer.text_model.embeddings.position_ids', 'model_ema.decay']);
    expect(JSON.parse(info.metadata['magicapture.configs']!)).toHaveProperty('unet.layers_per_block', 2);
  });

  describe.each(COMPONENTS)('%s', (component) => {
    const reference = byName(io.loadCheckpointComponent(diffusersDir, component));

    it.each([
      ['', 'F32', (x: Float32Array) => x],
      ['-fp16', 'F16', toF16],
      ['-bf16', 'BF16', toBf16],
    ] as const)('LDM%s loads exactly the diffusers tensors', (variant, dtype, cast) => {
      const loaded = byName(io.loadCheckpointComponent(ldm(variant), component));
      expect([...loaded.keys()].sort()).toEqual([...reference.keys()].sort());
      let bad = 0;
      for (const [name, ref] of reference) {
        const t = loaded.get(name)!;
        expect(t.shape, name).toEqual(ref.shape);
        expect(t.dtype, name).toBe(dtype);
        expect(t.file).toBe(ldm(variant));
        const diff = mismatches(t.data, cast(ref.data));
        if (diff) bad++;
        expect(diff, name).toBe(0);
      }
      expect(bad).toBe(0);
    });
  });

  it('turns the LDM VAE attention 1x1 convs into linear weights', () => {
    const header = io.readSafetensorsHeader(ldm(''));
    expect(header.tensors.find((t) => t.name === 'first_stage_model.encoder.mid.attn_1.q.weight')?.shape).toEqual([16, 16, 1, 1]);
    const vae = byName(io.loadCheckpointComponent(ldm(''), 'vae'));
    for (const p of ['to_q', 'to_k', 'to_v', 'to_out.0']) {
      const t = vae.get(`decoder.mid_block.attentions.0.${p}.weight`)!;
      expect(t.shape).toEqual([16, 16]);
      expect(t.key).toMatch(/^first_stage_model\.decoder\.mid\.attn_1\.(q|k|v|proj_out)\.weight$/);
    }
    expect(vae.get('decoder.mid_block.attentions.0.group_norm.weight')!.key).toBe('first_stage_model.decoder.mid.attn_1.norm.weight');
    // LDM numbers decoder levels from the lowest resolution up.
    expect(vae.get('decoder.up_blocks.0.resnets.0.conv1.weight')!.key).toBe('first_stage_model.decoder.up.3.block.0.conv1.weight');
    expect(vae.get('decoder.up_blocks.0.upsamplers.0.conv.weight')!.key).toBe('first_stage_model.decoder.up.3.upsample.conv.weight');
  });

  it('renames the old diffusers VAE attention names', () => {
    const copy = join(dir, 'old-vae');
    cpSync(diffusersDir, copy, { recursive: true });
    const vaeFile = join(copy, 'vae/diffusion_pytorch_model.safetensors');
    const old: Record<string, string> = { to_q: 'query', to_k: 'key', to_v: 'value', 'to_out.0': 'proj_attn' };
    const tensors = io.loadCheckpointComponent(diffusersDir, 'vae').map((t) => ({
      name: t.name.replace(/(mid_block\.attentions\.0\.)(to_q|to_k|to_v|to_out\.0)\./, (_, head: string, p: string) => `${head}${old[p]}.`),
      shape: t.shape,
      data: t.data,
    }));
    expect(tensors.filter((t) => /\.(query|key|value|proj_attn)\./.test(t.name))).toHaveLength(16);
    io.writeSafetensors(vaeFile, tensors, { format: 'pt' });

    const renamed = byName(io.loadCheckpointComponent(copy, 'vae'));
    const reference = byName(io.loadCheckpointComponent(diffusersDir, 'vae'));
    expect([...renamed.keys()].sort()).toEqual([...reference.keys()].sort());
    expect(renamed.get('encoder.mid_block.attentions.0.to_out.0.weight')!.key).toBe('encoder.mid_block.attentions.0.proj_attn.weight');
    for (const [name, ref] of reference) expect(mismatches(renamed.get(name)!.data, ref.data), name).toBe(0);
  });

  it('accepts fp16 variant file names and reports position_ids as unused', () => {
    const copy = join(dir, 'variant');
    cpSync(diffusersDir, copy, { recursive: true });
    const te = io.loadCheckpointComponent(diffusersDir, 'textEncoder');
    rmSync(join(copy, 'text_encoder/model.safetensors'));
    io.writeSafetensors(join(copy, 'text_encoder/model.fp16.safetensors'), [
      ...te.map((t) => ({ name: t.name, shape: t.shape, data: t.data, dtype: 'F16' as const })),
      { name: 'text_model.embeddings.position_ids', shape: [1, 77], data: Float32Array.from({ length: 77 }, (_, i) => i), dtype: 'I64' },
    ]);
    const info = io.inspectCheckpoint(copy);
    expect(info.components.textEncoder.tensorCount).toBe(52);
    expect(info.unusedKeys).toEqual(['text_encoder/text_model.embeddings.position_ids']);
    expect(io.loadCheckpointComponent(copy, 'textEncoder').every((t) => t.dtype === 'F16')).toBe(true);
  });
});

describe('synthetic LDM files', () => {
  // layers_per_block 1, two down blocks (the first with attention), SD1.x naming everywhere else.
  const unet = [
    'time_embed.0.weight', 'time_embed.2.bias', 'input_blocks.0.0.weight',
    'input_blocks.1.0.in_layers.0.weight', 'input_blocks.1.0.in_layers.2.weight', 'input_blocks.1.0.emb_layers.1.weight',
    'input_blocks.1.0.out_layers.0.bias', 'input_blocks.1.0.out_layers.3.weight', 'input_blocks.1.0.skip_connection.weight',
    'input_blocks.1.1.norm.weight', 'input_blocks.1.1.proj_in.weight', 'input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight',
    'input_blocks.1.1.transformer_blocks.0.ff.net.0.proj.weight', 'input_blocks.1.1.proj_out.bias',
    'input_blocks.2.0.op.weight', 'input_blocks.3.0.in_layers.0.weight',
    'middle_block.0.in_layers.2.weight', 'middle_block.1.transformer_blocks.0.attn1.to_out.0.weight', 'middle_block.2.out_layers.3.bias',
    'output_blocks.0.0.in_layers.0.weight', 'output_blocks.1.0.skip_connection.bias', 'output_blocks.1.1.conv.weight',
    'output_blocks.2.0.in_layers.2.weight', 'output_blocks.2.1.norm.bias', 'output_blocks.3.1.proj_in.weight',
    'output_blocks.3.2.conv.bias', 'out.0.weight', 'out.2.bias',
    'input_blocks.1.0.mystery.weight', 'label_emb.0.0.weight',
  ].map((k) => `model.diffusion_model.${k}`);
  const vae = [
    'encoder.conv_in.weight', 'encoder.down.0.block.0.nin_shortcut.weight', 'encoder.down.0.downsample.conv.weight',
    'encoder.down.1.block.1.norm2.bias', 'encoder.mid.attn_1.q.weight', 'encoder.mid.attn_1.norm.bias', 'encoder.norm_out.weight',
    'decoder.up.0.block.2.conv1.weight', 'decoder.up.1.upsample.conv.weight', 'decoder.mid.block_2.conv2.weight',
    'decoder.mid.attn_1.proj_out.bias', 'decoder.conv_out.weight', 'quant_conv.weight', 'post_quant_conv.bias', 'loss.logvar',
  ].map((k) => `first_stage_model.${k}`);
  const clip = [
    'cond_stage_model.transformer.embeddings.token_embedding.weight',
    'cond_stage_model.transformer.encoder.layers.0.self_attn.q_proj.weight',
    'cond_stage_model.transformer.final_layer_norm.bias',
    'cond_stage_model.transformer.embeddings.position_ids',
  ];
  const extra = ['model_ema.decay', 'model_ema.diffusion_modelinput_blocks00weight', 'alphas_cumprod'];

  function write(name: string, keys: string[], shapes: Record<string, number[]> = {}): string {
    const p = join(dir, name);
    io.writeSafetensors(p, keys.map((k, i) => t1(k, i, shapes[k])));
    return p;
  }

  it('infers layers_per_block and maps every recognised key', () => {
    const p = write('lpb1.safetensors', [...unet, ...vae, ...clip, ...extra], { 'first_stage_model.encoder.mid.attn_1.q.weight': [2, 2, 1, 1] });
    const info = io.inspectCheckpoint(p);
    expect(info.unusedKeys).toEqual([
      'alphas_cumprod', 'cond_stage_model.transformer.embeddings.position_ids', 'first_stage_model.loss.logvar',
      'model.diffusion_model.input_blocks.1.0.mystery.weight', 'model.diffusion_model.label_emb.0.0.weight',
      'model_ema.decay', 'model_ema.diffusion_modelinput_blocks00weight',
    ]);
    const names = (c: CheckpointComponent) => Object.fromEntries(io.loadCheckpointComponent(p, c).map((t) => [t.key, t.name]));
    const u = names('unet');
    const U = (k: string) => u[`model.diffusion_model.${k}`];
    expect(U('time_embed.0.weight')).toBe('time_embedding.linear_1.weight');
    expect(U('time_embed.2.bias')).toBe('time_embedding.linear_2.bias');
    expect(U('input_blocks.0.0.weight')).toBe('conv_in.weight');
    expect(U('input_blocks.1.0.in_layers.0.weight')).toBe('down_blocks.0.resnets.0.norm1.weight');
    expect(U('input_blocks.1.0.in_layers.2.weight')).toBe('down_blocks.0.resnets.0.conv1.weight');
    expect(U('input_blocks.1.0.emb_layers.1.weight')).toBe('down_blocks.0.resnets.0.time_emb_proj.weight');
    expect(U('input_blocks.1.0.out_layers.0.bias')).toBe('down_blocks.0.resnets.0.norm2.bias');
    expect(U('input_blocks.1.0.out_layers.3.weight')).toBe('down_blocks.0.resnets.0.conv2.weight');
    expect(U('input_blocks.1.0.skip_connection.weight')).toBe('down_blocks.0.resnets.0.conv_shortcut.weight');
    expect(U('input_blocks.1.1.norm.weight')).toBe('down_blocks.0.attentions.0.norm.weight');
    expect(U('input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight')).toBe('down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight');
    expect(U('input_blocks.1.1.transformer_blocks.0.ff.net.0.proj.weight')).toBe('down_blocks.0.attentions.0.transformer_blocks.0.ff.net.0.proj.weight');
    expect(U('input_blocks.2.0.op.weight')).toBe('down_blocks.0.downsamplers.0.conv.weight');
    expect(U('input_blocks.3.0.in_layers.0.weight')).toBe('down_blocks.1.resnets.0.norm1.weight');
    expect(U('middle_block.0.in_layers.2.weight')).toBe('mid_block.resnets.0.conv1.weight');
    expect(U('middle_block.1.transformer_blocks.0.attn1.to_out.0.weight')).toBe('mid_block.attentions.0.transformer_blocks.0.attn1.to_out.0.weight');
    expect(U('middle_block.2.out_layers.3.bias')).toBe('mid_block.resnets.1.conv2.bias');
    expect(U('output_blocks.0.0.in_layers.0.weight')).toBe('up_blocks.0.resnets.0.norm1.weight');
    expect(U('output_blocks.1.0.skip_connection.bias')).toBe('up_blocks.0.resnets.1.conv_shortcut.bias');
    expect(U('output_blocks.1.1.conv.weight')).toBe('up_blocks.0.upsamplers.0.conv.weight');
    expect(U('output_blocks.2.0.in_layers.2.weight')).toBe('up_blocks.1.resnets.0.conv1.weight');
    expect(U('output_blocks.2.1.norm.bias')).toBe('up_blocks.1.attentions.0.norm.bias');
    expect(U('output_blocks.3.1.proj_in.weight')).toBe('up_blocks.1.attentions.1.proj_in.weight');
    expect(U('output_blocks.3.2.conv.bias')).toBe('up_blocks.1.upsamplers.0.conv.bias');
    expect(U('out.0.weight')).toBe('conv_norm_out.weight');
    expect(U('out.2.bias')).toBe('conv_out.bias');

    const v = names('vae');
    const V = (k: string) => v[`first_stage_model.${k}`];
    expect(V('encoder.conv_in.weight')).toBe('encoder.conv_in.weight');
    expect(V('encoder.down.0.block.0.nin_shortcut.weight')).toBe('encoder.down_blocks.0.resnets.0.conv_shortcut.weight');
    expect(V('encoder.down.0.downsample.conv.weight')).toBe('encoder.down_blocks.0.downsamplers.0.conv.weight');
    expect(V('encoder.down.1.block.1.norm2.bias')).toBe('encoder.down_blocks.1.resnets.1.norm2.bias');
    expect(V('encoder.mid.attn_1.q.weight')).toBe('encoder.mid_block.attentions.0.to_q.weight');
    expect(V('encoder.mid.attn_1.norm.bias')).toBe('encoder.mid_block.attentions.0.group_norm.bias');
    expect(V('encoder.norm_out.weight')).toBe('encoder.conv_norm_out.weight');
    expect(V('decoder.up.0.block.2.conv1.weight')).toBe('decoder.up_blocks.1.resnets.2.conv1.weight');
    expect(V('decoder.up.1.upsample.conv.weight')).toBe('decoder.up_blocks.0.upsamplers.0.conv.weight');
    expect(V('decoder.mid.block_2.conv2.weight')).toBe('decoder.mid_block.resnets.1.conv2.weight');
    expect(V('decoder.mid.attn_1.proj_out.bias')).toBe('decoder.mid_block.attentions.0.to_out.0.bias');
    expect(V('quant_conv.weight')).toBe('quant_conv.weight');
    expect(V('post_quant_conv.bias')).toBe('post_quant_conv.bias');
    const q = io.loadCheckpointComponent(p, 'vae').find((t) => t.name === 'encoder.mid_block.attentions.0.to_q.weight')!;
    expect(q.shape).toEqual([2, 2]);

    expect(names('textEncoder')).toEqual({
      'cond_stage_model.transformer.embeddings.token_embedding.weight': 'text_model.embeddings.token_embedding.weight',
      'cond_stage_model.transformer.encoder.layers.0.self_attn.q_proj.weight': 'text_model.encoder.layers.0.self_attn.q_proj.weight',
      'cond_stage_model.transformer.final_layer_norm.bias': 'text_model.final_layer_norm.bias',
    });
    expect(info.components.textEncoder).toEqual({ tensorCount: 3, hasConfig: false });
  });

  it('refuses a file where two keys map to the same parameter', () => {
    const p = write('dup.safetensors', [
      ...unet, ...vae, ...clip,
      'cond_stage_model.transformer.text_model.final_layer_norm.bias',
    ]);
    const e = errorOf(() => io.inspectCheckpoint(p));
    expect(e.code).toBe('E_BAD_CHECKPOINT');
    expect(e.message).toContain('text_model.final_layer_norm.bias');
  });

  it('refuses a UNet whose block layout cannot be inferred', () => {
    const keys = [...unet, ...vae, ...clip, 'model.diffusion_model.input_blocks.3.0.op.weight'];
    const e = errorOf(() => io.inspectCheckpoint(write('layout.safetensors', keys)));
    expect(e.code).toBe('E_UNSUPPORTED_FORMAT');
    expect(e.message).toMatch(/block layout/);
  });

  it('names what is missing, and recognises SD2 / SDXL files', () => {
    const sd2 = write('sd2.safetensors', [...unet, ...vae, 'cond_stage_model.model.token_embedding.weight']);
    const e = errorOf(() => io.inspectCheckpoint(sd2));
    expect(e.code).toBe('E_UNSUPPORTED_FORMAT');
    expect(e.message).toMatch(/found no CLIP text encoder.*Stable Diffusion 2\.x/);
    const sdxl = write('sdxl.safetensors', ['conditioner.embedders.0.transformer.text_model.final_layer_norm.bias']);
    expect(errorOf(() => io.inspectCheckpoint(sdxl)).message).toMatch(/found no UNet.*VAE.*Stable Diffusion XL/);
  });

  it('reports damaged embedded configs and headers as E_BAD_CHECKPOINT', () => {
    const p = join(dir, 'badconfig.safetensors');
    io.writeSafetensors(p, [...unet, ...vae, ...clip].map((k, i) => t1(k, i)), { 'magicapture.configs': '{"unet": [1]' });
    expect(errorOf(() => io.inspectCheckpoint(p)).code).toBe('E_BAD_CHECKPOINT');
    const q = join(dir, 'damaged.safetensors');
    writeFileSync(q, Buffer.from([16, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d]));
    const e = errorOf(() => io.inspectCheckpoint(q));
    expect(e.code).toBe('E_BAD_CHECKPOINT');
    expect(e.hint).toMatch(/re-download/);
  });
});

describe('refusals', () => {
  it.each(['model.ckpt', 'model.pt', 'model.pth', 'pytorch_model.bin', 'MODEL.CKPT'])('refuses the pickle %s', (name) => {
    const p = join(dir, name);
    writeFileSync(p, Buffer.from('PK\x03\x04 pickle bytes'));
    const e = errorOf(() => io.inspectCheckpoint(p));
    expect(e.code).toBe('E_PICKLE_REFUSED');
    expect(e.hint).toMatch(/never loads pickle files because they can run code/);
    expect(e.hint).toMatch(/\.safetensors/);
  });

  it('refuses a pickle renamed to .safetensors', () => {
    for (const [name, bytes] of [
      ['renamed-zip.safetensors', Buffer.from('PK\x03\x04\x14\x00\x00\x00archive/data.pkl', 'latin1')],
      ['renamed-pickle.safetensors', Buffer.from([0x80, 0x02, 0x7d, 0x71, 0x00, 0x28, 0x58, 0x07, 0x00, 0x00])],
    ] as const) {
      const p = join(dir, name);
      writeFileSync(p, bytes);
      const e = errorOf(() => io.inspectCheckpoint(p));
      expect(e.code).toBe('E_PICKLE_REFUSED');
      expect(e.message).toContain(p);
    }
  });

  it('refuses a diffusers folder whose weights are only pickles', () => {
    const copy = join(dir, 'pickled');
    cpSync(diffusersDir, copy, { recursive: true });
    rmSync(join(copy, 'unet/diffusion_pytorch_model.safetensors'));
    writeFileSync(join(copy, 'unet/diffusion_pytorch_model.bin'), 'pickle');
    const e = errorOf(() => io.inspectCheckpoint(copy));
    expect(e.code).toBe('E_PICKLE_REFUSED');
    expect(e.message).toContain(join(copy, 'unet'));
  });

  it('refuses a missing path', () => {
    const e = errorOf(() => io.inspectCheckpoint(join(dir, 'nowhere')));
    expect(e.code).toBe('E_FILE_NOT_FOUND');
    expect(e.message).toContain('nowhere');
  });

  it('refuses folders that are not diffusers models', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const e = errorOf(() => io.inspectCheckpoint(empty));
    expect(e.code).toBe('E_UNSUPPORTED_FORMAT');
    expect(e.message).toMatch(/missing unet\/, vae\/, text_encoder\//);

    const partial = join(dir, 'partial');
    mkdirSync(join(partial, 'unet'), { recursive: true });
    mkdirSync(join(partial, 'vae'));
    mkdirSync(join(partial, 'text_encoder'));
    expect(errorOf(() => io.inspectCheckpoint(partial)).message).toMatch(/expected a \.safetensors weight file, found none/);
  });

  it('refuses a diffusers folder with a damaged config.json', () => {
    const copy = join(dir, 'badjson');
    cpSync(diffusersDir, copy, { recursive: true });
    writeFileSync(join(copy, 'vae/config.json'), '{"block_out_channels": [8, 8,');
    const e = errorOf(() => io.inspectCheckpoint(copy));
    expect(e.code).toBe('E_BAD_CHECKPOINT');
    expect(e.message).toContain('vae/config.json');
  });

  it('refuses other file types', () => {
    const p = join(dir, 'notes.txt');
    writeFileSync(p, 'hello');
    expect(errorOf(() => io.inspectCheckpoint(p)).code).toBe('E_UNSUPPORTED_FORMAT');
    expect(errorOf(() => io.loadCheckpointComponent(diffusersDir, 'tokenizer' as never)).code).toBe('E_BAD_ARGUMENT');
    expect(errorOf(() => native.loadCheckpointComponent(diffusersDir, 'tokenizer' as never)).code).toBe('E_BAD_ARGUMENT');
  });
});
