// The ArcFace networks of the engine against the script's own PyTorch definitions mirroring arcface_torch
// (test/golden/golden_arcface.py): embeddings and input gradients of narrow IResNet-50/100 and MobileFaceNet, the
// ONNX converter on real torch.onnx exports (constant-folded as the public releases are, and not folded), and
// damaged or foreign ONNX files, each of which must fail with a clear E_UNSUPPORTED_FORMAT.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addon } from '../../native/lib/addon.js';
import { convertArcfaceOnnx, FaceEmbedder } from '../../native/lib/arcface.js';
import { EngineError } from '../../native/lib/errors.js';
import * as io from '../../native/lib/io.js';
import { goldenJson, goldenTensor, maxAbsDiff, repoRoot, tinyLdm } from '../helpers/golden.js';

const GOLDEN = 'arcface.safetensors';
const TOLERANCE = 1e-4;
const fixtures = join(repoRoot, 'test', 'fixtures', 'arcface');
const dir = mkdtempSync(join(tmpdir(), 'mc-arcface-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface NetworkDoc {
  config: { arch: 'iresnet' | 'mobilefacenet'; layers?: number[]; blocks?: number[]; base: number; embedding: number; scale?: number };
  embedding: string;
  cotangent?: string;
  input_grad?: string;
  weights?: string;
}
interface OnnxDoc {
  network: string;
  constant_folding: boolean;
  dynamic_batch: boolean;
  opset: number;
  ops: string[];
}
const doc = goldenJson<{ networks: Record<string, NetworkDoc>; onnx: Record<string, OnnxDoc> }>('arcface.json');
const input = goldenTensor(GOLDEN, 'arcface.input');

function flat(rows: Float32Array[]): Float32Array {
  return Float32Array.from(rows.flatMap((r) => Array.from(r)));
}

async function rejection(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return e as EngineError;
  }
  throw new Error('expected the call to fail');
}

function expectConfig(info: { architecture: string; layers: number[]; baseWidth: number; embeddingSize: number; scale: number }, net: NetworkDoc) {
  expect(info.architecture).toBe(net.config.arch);
  expect(info.layers).toEqual(net.config.layers ?? net.config.blocks);
  expect(info.baseWidth).toBe(net.config.base);
  expect(info.embeddingSize).toBe(net.config.embedding);
  expect(info.scale).toBe(net.config.scale ?? 1);
}

describe.each(['r50', 'r100', 'mbf'])('FaceEmbedder on arcface_torch weights (%s, narrow)', (name) => {
  const net = doc.networks[name] as NetworkDoc;
  let embedder: FaceEmbedder;
  beforeAll(async () => {
    embedder = await FaceEmbedder.open(join(repoRoot, net.weights as string));
  });
  afterAll(() => embedder.close());

  it('infers the architecture from the state-dict keys and takes every tensor', () => {
    expectConfig(embedder.info, net);
    expect(embedder.info.folded).toBe(false);
    expect(embedder.info.configSource).toBe('inferred from weights');
    expect(embedder.info.unusedKeys).toEqual([]);
    expect(embedder.info.device).toBe('cpu');
    expect(embedder.info.fp16).toBe(false);
  });

  it('embeds a batch as the PyTorch network does (eval BatchNorm, unnormalised output)', async () => {
    const out = await embedder.embed(input);
    const expected = goldenTensor(GOLDEN, net.embedding);
    expect(out).toHaveLength(2);
    expect(out[0]).toHaveLength(net.config.embedding);
    expect(maxAbsDiff(flat(out), expected.data)).toBeLessThan(TOLERANCE);
  });

  it('backpropagates into the image exactly as autograd does', async () => {
    const image0 = { data: input.data.slice(0, 3 * 112 * 112), shape: [1, 3, 112, 112] };
    const cotangent = goldenTensor(GOLDEN, net.cotangent as string).data;
    const result = await embedder.inputGradient(image0, cotangent);
    const expected = goldenTensor(GOLDEN, net.input_grad as string);
    expect(result.inputGradient.shape).toEqual([1, 3, 112, 112]);
    expect(maxAbsDiff(result.inputGradient.data, expected.data)).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(result.embeddings[0] as Float32Array, goldenTensor(GOLDEN, net.embedding).data.slice(0, net.config.embedding)))
      .toBeLessThan(TOLERANCE);
  });
});

describe('FaceEmbedder arguments and files', () => {
  const mbf = join(repoRoot, (doc.networks['mbf'] as NetworkDoc).weights as string);

  it('validates faces before the native call', async () => {
    const embedder = await FaceEmbedder.open(mbf);
    try {
      const bad = [
        { data: new Float32Array(3 * 112 * 112), shape: [1, 3, 96, 96] },
        { data: new Float32Array(10), shape: [1, 3, 112, 112] },
        { data: [0, 1] as unknown as Float32Array, shape: [1, 3, 112, 112] },
        { data: new Float32Array(0), shape: [0, 3, 112, 112] },
      ];
      for (const faces of bad) expect((await rejection(embedder.embed(faces))).code).toBe('E_BAD_ARGUMENT');
      const image = { data: new Float32Array(3 * 112 * 112), shape: [1, 3, 112, 112] };
      expect((await rejection(embedder.inputGradient(image, new Float32Array(3)))).code).toBe('E_BAD_ARGUMENT');
    } finally {
      embedder.close();
    }
    await expect(embedder.embed(input)).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT', message: 'this face embedder was closed' });
  });

  it('refuses devices it does not have and bad options', async () => {
    expect((await rejection(FaceEmbedder.open(mbf, { device: 'tpu' }))).code).toBe('E_BAD_ARGUMENT');
    expect((await rejection(FaceEmbedder.open(mbf, { fp16: 'yes' as unknown as boolean }))).code).toBe('E_BAD_ARGUMENT');
    if (!addon().cudaAvailable()) {
      expect((await rejection(FaceEmbedder.open(mbf, { device: 'cuda' }))).code).toBe('E_DEVICE');
    }
  });

  it('reports missing files, pickles and foreign checkpoints with the engine codes', async () => {
    expect((await rejection(FaceEmbedder.open(join(dir, 'absent.safetensors')))).code).toBe('E_FILE_NOT_FOUND');
    const pickle = join(dir, 'backbone.safetensors');
    writeFileSync(pickle, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(64)]));
    expect((await rejection(FaceEmbedder.open(pickle))).code).toBe('E_PICKLE_REFUSED');
    const foreign = await rejection(FaceEmbedder.open(tinyLdm()));
    expect(foreign.code).toBe('E_BAD_CHECKPOINT');
    expect(foreign.message).toContain('expected an arcface_torch IResNet');
  });

  // Rewrites the fixture's tensors (as float32) under new names, optionally dropping one or adding metadata.
  function rewrite(name: string, rename: (key: string) => string | undefined, metadata: Record<string, string> = {}): string {
    const header = io.readSafetensorsHeader(mbf);
    const tensors = header.tensors.flatMap((t) => {
      const key = rename(t.name);
      if (key === undefined) return [];
      const loaded = io.loadSafetensorsTensor(mbf, t.name);
      return [{ name: key, shape: loaded.shape, data: loaded.data, dtype: t.dtype }];
    });
    const path = join(dir, name);
    io.writeSafetensors(path, tensors, metadata);
    return path;
  }

  it('loads a DataParallel save (every key prefixed with "module.")', async () => {
    const embedder = await FaceEmbedder.open(rewrite('module.safetensors', (k) => `module.${k}`));
    try {
      expect(embedder.info.unusedKeys).toEqual([]);
      const out = await embedder.embed(input);
      expect(maxAbsDiff(flat(out), goldenTensor(GOLDEN, 'arcface.mbf.embedding').data)).toBeLessThan(TOLERANCE);
    } finally {
      embedder.close();
    }
  });

  it('names a missing parameter, a missing BatchNorm statistic and a config that contradicts the weights', async () => {
    const drop = (key: string) => (k: string) => (k === key ? undefined : k);
    const noWeight = await rejection(FaceEmbedder.open(rewrite('no-weight.safetensors', drop('conv_sep.layers.2.weight'))));
    expect(noWeight.code).toBe('E_BAD_CHECKPOINT');
    expect(noWeight.message).toContain('conv_sep.layers.2.weight');
    const noStat = await rejection(FaceEmbedder.open(rewrite('no-stat.safetensors', drop('layers.2.layers.1.layers.1.running_var'))));
    expect(noStat.code).toBe('E_BAD_CHECKPOINT');
    expect(noStat.message).toContain('layers.2.layers.1.layers.1.running_var');
    const meta = { 'magicapture.arcface': '{"architecture":"iresnet","layers":[1,1,1,1],"baseWidth":8,"scale":1,"embeddingSize":16,"folded":false}' };
    const contradicts = await rejection(FaceEmbedder.open(rewrite('contradicts.safetensors', (k) => k, meta)));
    expect(contradicts.code).toBe('E_BAD_CHECKPOINT');
    expect(contradicts.message).toContain('iresnet layers [1,1,1,1]');
    const garbled = await rejection(FaceEmbedder.open(rewrite('garbled.safetensors', (k) => k, { 'magicapture.arcface': '{"architecture":"vit"}' })));
    expect(garbled.code).toBe('E_BAD_CHECKPOINT');
    expect(garbled.message).toContain('architecture');
  });

  const cuda = addon().cudaAvailable();
  it.skipIf(!cuda)('runs the trunk under CUDA fp16 autocast close to fp32 (GPU only)', async () => {
    const fp32 = await FaceEmbedder.open(mbf, { device: 'cuda' });
    const fp16 = await FaceEmbedder.open(mbf, { device: 'cuda', fp16: true });
    try {
      expect(fp16.info.fp16).toBe(true);
      const a = flat(await fp32.embed(input));
      const b = flat(await fp16.embed(input));
      expect(maxAbsDiff(a, goldenTensor(GOLDEN, 'arcface.mbf.embedding').data)).toBeLessThan(1e-3);
      expect(maxAbsDiff(a, b)).toBeLessThan(5e-2);
      const grad = await fp16.inputGradient({ data: input.data.slice(0, 3 * 112 * 112), shape: [1, 3, 112, 112] }, new Float32Array(16).fill(1));
      expect(grad.inputGradient.data.every(Number.isFinite)).toBe(true);
    } finally {
      fp32.close();
      fp16.close();
    }
  });
  if (!cuda) console.log('arcface: CUDA fp16 autocast test skipped: no CUDA device');
});

describe.each(Object.keys(doc.onnx))('convertArcfaceOnnx on %s', (file) => {
  const entry = doc.onnx[file] as OnnxDoc;
  const net = doc.networks[entry.network] as NetworkDoc;
  const source = join(fixtures, file);
  const out = join(dir, file.replace(/\.onnx$/, '.safetensors'));

  it('maps every initializer to arcface_torch names and embeds as PyTorch does', async () => {
    const result = await convertArcfaceOnnx(source, out);
    expect(result.config.architecture).toBe(net.config.arch);
    expect(result.config.layers).toEqual(net.config.layers ?? net.config.blocks);
    expect(result.config.baseWidth).toBe(net.config.base);
    expect(result.config.embeddingSize).toBe(net.config.embedding);
    expect(result.config.folded).toBe(entry.constant_folding);
    expect(result.opset).toBe(entry.opset);
    expect(result.sourceSha256).toBe(createHash('sha256').update(readFileSync(source)).digest('hex'));

    const header = io.readSafetensorsHeader(out);
    expect(header.metadata['magicapture.source_sha256']).toBe(result.sourceSha256);
    expect(header.metadata['magicapture.source']).toBe(file);
    expect(JSON.parse(header.metadata['magicapture.arcface'] as string)).toEqual(result.config);
    const names = header.tensors.map((t) => t.name);
    expect(names).toContain(net.config.arch === 'iresnet' ? 'layer1.0.bn1.running_var' : 'features.layers.3.running_var');
    if (entry.constant_folding) {
      expect(names).toContain(net.config.arch === 'iresnet' ? 'layer2.0.conv2.bias' : 'conv_sep.layers.0.bias');
      expect(names.some((n) => n.endsWith('.bn3.weight') || n.endsWith('layers.1.running_mean'))).toBe(false);
    }

    const embedder = await FaceEmbedder.open(out);
    try {
      expect(embedder.info.configSource).toBe('metadata');
      expect(embedder.info.folded).toBe(entry.constant_folding);
      expect(embedder.info.unusedKeys).toEqual([]);
      const embeddings = await embedder.embed(input);
      expect(maxAbsDiff(flat(embeddings), goldenTensor(GOLDEN, net.embedding).data)).toBeLessThan(TOLERANCE);
    } finally {
      embedder.close();
    }
  });
});

// ------------------------------------------------------------------------------------------- hostile ONNX files

/** A minimal protobuf writer, independent of the reader under test. */
const pb = {
  varint(value: number | bigint): number[] {
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    do {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      out.push(v ? byte | 0x80 : byte);
    } while (v);
    return out;
  },
  int(field: number, value: number | bigint): number[] {
    return [...pb.varint((field << 3) | 0), ...pb.varint(value)];
  },
  bytes(field: number, payload: ArrayLike<number>): number[] {
    return [...pb.varint((field << 3) | 2), ...pb.varint(payload.length), ...Array.from(payload)];
  },
  str(field: number, text: string): number[] {
    return pb.bytes(field, Buffer.from(text, 'utf8'));
  },
  msg(field: number, ...parts: number[][]): number[] {
    return pb.bytes(field, parts.flat());
  },
};

function node(op: string, inputs: string[], outputs: string[], name: string, attributes: number[][] = []): number[] {
  return pb.msg(1, ...inputs.map((i) => pb.str(1, i)), ...outputs.map((o) => pb.str(2, o)), pb.str(3, name), pb.str(4, op),
    ...attributes);
}

/** An INTS attribute (AttributeProto: name 1, ints 8 packed, type 20 = INTS). */
function intsAttribute(name: string, values: number[]): number[] {
  return pb.msg(5, pb.str(1, name), pb.bytes(8, values.flatMap((v) => pb.varint(v))), pb.int(20, 7));
}

function floatInitializer(name: string, dims: number[], extra: number[][] = [], withData = true): number[] {
  const count = dims.reduce((a, b) => a * b, 1);
  const data = withData ? [pb.bytes(9, new Uint8Array(new Float32Array(count).fill(0.5).buffer))] : [];
  return pb.msg(5, pb.bytes(1, dims.flatMap((d) => pb.varint(d))), pb.int(2, 1), pb.str(8, name), ...data, ...extra);
}

function imageInput(): number[] {
  const dims = [1, 3, 112, 112].map((d) => pb.msg(1, pb.int(1, d)));
  return pb.msg(11, pb.str(1, 'data'), pb.msg(2, pb.msg(1, pb.int(1, 1), pb.msg(2, ...dims))));
}

function model(graph: number[][]): Uint8Array {
  return Uint8Array.from([...pb.int(1, 7), ...pb.msg(8, pb.str(1, ''), pb.int(2, 13)), ...pb.msg(7, ...graph)]);
}

describe('convertArcfaceOnnx on damaged and foreign files', () => {
  const real = readFileSync(join(fixtures, 'iresnet18-narrow-folded-opset11.onnx'));
  let counter = 0;

  async function failure(bytes: Uint8Array): Promise<EngineError> {
    const path = join(dir, `hostile-${counter++}.onnx`);
    writeFileSync(path, bytes);
    const error = await rejection(convertArcfaceOnnx(path, join(dir, `hostile-out-${counter}.safetensors`)));
    expect(error.message).toContain(path);
    return error;
  }

  it('a truncated file', async () => {
    for (const length of [1, 37, real.length >> 1, real.length - 1]) {
      const e = await failure(real.subarray(0, length));
      expect(e.code).toBe('E_UNSUPPORTED_FORMAT');
      expect(e.message).toMatch(/truncated|runs past the end|not an ONNX model/);
    }
  });

  it('files that are not protobuf or not ONNX', async () => {
    expect((await failure(new Uint8Array(0))).message).toContain('empty');
    expect((await failure(Uint8Array.of(0x0b, 1, 2, 3))).message).toContain('wire type 3');
    expect((await failure(Uint8Array.of(0x08, ...new Array(11).fill(0xff)))).message).toContain('varint longer than 10 bytes');
    expect((await failure(readFileSync(join(fixtures, 'mobilefacenet-narrow.safetensors')))).code).toBe('E_UNSUPPORTED_FORMAT');
    expect((await failure(Uint8Array.from(pb.str(2, 'pytorch')))).message).toContain('not an ONNX model');
  });

  it('an op the networks do not have, by name', async () => {
    const e = await failure(model([
      node('Conv', ['data', 'W'], ['c'], 'conv'), node('Relu', ['c'], ['r'], 'relu'),
      floatInitializer('W', [4, 3, 3, 3]), imageInput(), pb.msg(12, pb.str(1, 'r')),
    ]));
    expect(e.code).toBe('E_UNSUPPORTED_FORMAT');
    expect(e.message).toContain('unexpected op Relu');
    expect(e.message).toContain('"relu"');
    const mxnet = await failure(model([node('Sub', ['data', 'M'], ['s'], '_minusscalar0'), floatInitializer('M', [1]), imageInput()]));
    expect(mxnet.message).toContain('unexpected op Sub');
    expect(mxnet.hint).toContain('MXNet');
    // The same op renamed inside a real export: the op_type field of the first PRelu node.
    const patched = Buffer.from(real);
    const at = patched.indexOf(Buffer.from([0x22, 0x05, ...Buffer.from('PRelu')]));
    expect(at).toBeGreaterThan(0);
    patched.write('LRelu', at + 2, 'latin1');
    expect((await failure(patched)).message).toContain('unexpected op LRelu');
  });

  it('weights stored in an external file', async () => {
    const external = [pb.msg(13, pb.str(1, 'location'), pb.str(2, 'weights.bin')), pb.int(14, 1)];
    const e = await failure(model([
      node('Conv', ['data', 'W'], ['c'], 'conv'), floatInitializer('W', [4, 3, 3, 3], external, false), imageInput(),
    ]));
    expect(e.code).toBe('E_UNSUPPORTED_FORMAT');
    expect(e.message).toContain('external file ("weights.bin")');
    expect(e.hint).toContain('save_as_external_data=False');
  });

  it('a graph whose structure is not an arcface_torch network', async () => {
    const graph = (attributes: number[][]) => model([
      node('Conv', ['data', 'W'], ['c'], 'conv', attributes), floatInitializer('W', [4, 3, 3, 3]), imageInput(),
      pb.msg(12, pb.str(1, 'c')),
    ]);
    const unpadded = await failure(graph([]));
    expect(unpadded.code).toBe('E_UNSUPPORTED_FORMAT');
    expect(unpadded.message).toContain('expected conv1 (node "conv") to have kernel 3, stride 1, padding 1');
    expect(unpadded.message).toContain('pads [0, 0, 0, 0]');
    const alone = await failure(graph([intsAttribute('pads', [1, 1, 1, 1])]));
    expect(alone.message).toContain('expected bn1 (BatchNormalization) after node "conv" (Conv), found nothing');
    const wrongInput = await failure(model([imageInput(), node('Conv', ['x', 'W'], ['c'], 'conv')]));
    expect(wrongInput.message).toContain('reads "x" before anything produces it');
  });

  it('bad arguments and missing files', async () => {
    expect((await rejection(convertArcfaceOnnx('', join(dir, 'x.safetensors')))).code).toBe('E_BAD_ARGUMENT');
    const same = join(dir, 'same.onnx');
    expect((await rejection(convertArcfaceOnnx(same, same))).code).toBe('E_BAD_ARGUMENT');
    expect((await rejection(convertArcfaceOnnx(join(dir, 'absent.onnx'), join(dir, 'y.safetensors')))).code).toBe('E_FILE_NOT_FOUND');
  });
});
