// onnxruntime-node in the media host on small ONNX models the test builds (onnx-builders.ts) with the real
// models' names and shapes: session cache and CUDA fallback, BiSeNet label mapping and the mask with its
// inverse, ArcFace pre/post-processing, tiled Real-ESRGAN without seams, CodeFormer through the paste-back,
// and the choice of the best installed model per step, recorded in every result.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { OnnxModelRef, Pixels } from '../../src-main/common/protocol/media.js';
import { EMBEDDED_FACE_MODELS } from '../../src-main/media-host/faces/human-models.js';
import { restoreFaces } from '../../src-main/media-host/finishing/restoration.js';
import { upscalePixels } from '../../src-main/media-host/finishing/super-resolution.js';
import { faceModels } from '../../src-main/media-host/onnx/face-steps.js';
import { bestModel, currentChoice, useModels } from '../../src-main/media-host/onnx/model-choice.js';
import { FACE_LABELS, inverseMask, labelsToMask, maskInFrame, parseFace } from '../../src-main/media-host/onnx/parsing.js';
import { arcfaceEmbedding } from '../../src-main/media-host/onnx/recognition.js';
import { onnxRestorer } from '../../src-main/media-host/onnx/restorer.js';
import { cudaFallbackReason, releaseSessions, sessionFor } from '../../src-main/media-host/onnx/sessions.js';
import { upscaleOnnx } from '../../src-main/media-host/onnx/upscaler.js';
import { arcfaceLike, bisenetLike, codeformerLike, esrganLike } from './onnx-builders.js';

const HASH = 'a'.repeat(64);
let dir: string;
const logged: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'magicapture-onnx-'));
});
afterAll(async () => {
  await releaseSessions();
  useModels([]);
  rmSync(dir, { recursive: true, force: true });
});

function image(width: number, height: number, colour: (x: number, y: number) => [number, number, number]): Pixels {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(colour(x, y), (y * width + x) * 3);
  return { data, width, height, channels: 3 };
}

/** Red (skin) in the middle square, green (hair) in the top band, blue (background) elsewhere. */
const portrait = (x: number, y: number): [number, number, number] => (y < 96 ? [0, 255, 0] : x >= 128 && x < 384 && y >= 128 && y < 384 ? [255, 0, 0] : [0, 0, 255]);
const expectedLabel = (x: number, y: number) => (y < 96 ? 17 : x >= 128 && x < 384 && y >= 128 && y < 384 ? 1 : 0);

describe('sessions', () => {
  it('tries CUDA, falls back to the CPU with a logged reason, and caches the session', async () => {
    const path = bisenetLike(join(dir, 'bisenet.onnx'));
    const first = await sessionFor(path, HASH, { log: (line) => logged.push(line) });
    expect(await sessionFor(path, HASH)).toBe(first);
    if (first.provider === 'cpu') {
      expect(cudaFallbackReason()).toBeTruthy();
      expect(logged.join('\n')).toContain('CUDA provider unavailable');
    } else {
      console.log('CUDA provider present: the session runs on the GPU');
    }
  });

  it('says what it expected when a file is not a model', async () => {
    const error = await sessionFor(join(dir, 'missing.onnx'), HASH).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toMatch(/^expected an ONNX model at .*missing\.onnx, received/);
  });
});

describe('BiSeNet parsing', () => {
  it('maps the 19-class logits to the expected labels, pixel for pixel', async () => {
    const session = await sessionFor(bisenetLike(join(dir, 'bisenet.onnx')), HASH);
    const parsed = await parseFace(session, image(512, 512, portrait));
    expect([parsed.width, parsed.height]).toEqual([512, 512]);
    let wrong = 0;
    for (let y = 0; y < 512; y++) for (let x = 0; x < 512; x++) if (parsed.labels[y * 512 + x] !== expectedLabel(x, y)) wrong++;
    expect(wrong).toBe(0);
  });

  it('makes the soft face mask from the face labels only, and its exact inverse', async () => {
    expect([...FACE_LABELS].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 10, 11, 12, 13]);
    const session = await sessionFor(bisenetLike(join(dir, 'bisenet.onnx')), HASH);
    const mask = await labelsToMask(await parseFace(session, image(512, 512, portrait)), 256, 256);
    const at = (x: number, y: number) => mask.data[y * 256 + x]!;
    expect(at(128, 128)).toBe(255); // skin
    expect(at(10, 10)).toBe(0); // hair
    expect(at(10, 128)).toBe(0); // background
    expect(at(64, 128)).toBeGreaterThan(60); // the feathered edge
    expect(at(64, 128)).toBeLessThan(200);
    const inverse = inverseMask(mask);
    expect(inverse.data.every((v, i) => v === 255 - mask.data[i]!)).toBe(true);
  });

  it('places a crop\'s mask in the frame of the whole image', async () => {
    const session = await sessionFor(bisenetLike(join(dir, 'bisenet.onnx')), HASH);
    const parsed = await parseFace(session, image(512, 512, portrait));
    const mask = await maskInFrame(parsed, { x: 100, y: 50, width: 200, height: 200 }, { width: 400, height: 300 }, { width: 400, height: 300 });
    const at = (x: number, y: number) => mask.data[y * 400 + x]!;
    expect(at(200, 150)).toBe(255); // crop centre: skin
    expect(at(20, 150)).toBe(0); // outside the crop
    expect(at(200, 60)).toBe(0); // the crop's hair band
  });
});

describe('ArcFace recognition', () => {
  it('normalises to [-1, 1], runs the 112 x 112 face, and L2-normalises the 512 values', async () => {
    const w = Float32Array.from({ length: 3 * 512 }, (_, i) => Math.sin(i * 0.37));
    const session = await sessionFor(arcfaceLike(join(dir, 'arcface.onnx'), w), HASH);
    const rgb: [number, number, number] = [200, 100, 30];
    const embedding = await arcfaceEmbedding(session, image(112, 112, () => rgb));
    const mean = rgb.map((v) => (v - 127.5) / 127.5);
    const raw = Array.from({ length: 512 }, (_, j) => mean[0]! * w[j]! + mean[1]! * w[512 + j]! + mean[2]! * w[1024 + j]!);
    const norm = Math.hypot(...raw);
    expect(embedding).toHaveLength(512);
    embedding.forEach((v, j) => expect(v).toBeCloseTo(raw[j]! / norm, 5));
    await expect(arcfaceEmbedding(session, image(100, 112, () => rgb))).rejects.toThrow('expected a 112 x 112 aligned face, received 100 x 112');
  });
});

describe('Real-ESRGAN upscaling', () => {
  it('upscales x4 tile by tile with no seam: equal to a whole-image nearest upscale', async () => {
    const session = await sessionFor(esrganLike(join(dir, 'esrgan.onnx')), HASH);
    const source = image(150, 90, (x, y) => [(x * 7) % 256, (y * 11) % 256, (x * y) % 256]);
    const { pixels, scale } = await upscaleOnnx(session, source, 64);
    expect(scale).toBe(4);
    expect([pixels.width, pixels.height]).toEqual([600, 360]);
    let wrong = 0;
    for (let y = 0; y < 360; y++) {
      for (let x = 0; x < 600; x++) {
        for (let c = 0; c < 3; c++) if (pixels.data[(y * 600 + x) * 3 + c] !== source.data[((y >> 2) * 150 + (x >> 2)) * 3 + c]) wrong++;
      }
    }
    expect(wrong).toBe(0);
  });

  it('takes over finishing\'s x4 upscale when installed, and the recorded step names it', async () => {
    useModels([{ name: 'realesrgan_x4plus', purpose: 'upscaler', path: esrganLike(join(dir, 'esrgan.onnx')), sha256: HASH }]);
    const source = image(40, 30, (x, y) => [x * 6, y * 8, 99]);
    const four = await upscalePixels(source, 4, { tileSize: 32 });
    expect(four.step).toMatchObject({ model: 'realesrgan_x4plus (onnx aaaaaaaaaaaa)', scale: 4, width: 160, height: 120, tiles: 2 });
    expect(four.pixels.data[(5 * 160 + 9) * 3]).toBe(source.data[(1 * 40 + 2) * 3]);
    useModels([]);
  });
});

describe('CodeFormer restoration', () => {
  it('feeds the aligned crop and the fidelity weight, and pastes the result back', async () => {
    const session = await sessionFor(codeformerLike(join(dir, 'codeformer.onnx')), HASH);
    const restorer = onnxRestorer(session, 'codeformer_like');
    const negative = await restorer.restore(image(512, 512, () => [200, 100, 30]), 0.7);
    expect(Array.from(negative.data.subarray(0, 3))).toEqual([55, 155, 225]);
    const photo = image(256, 256, () => [200, 100, 30]);
    const landmarks = [100, 110, 156, 110, 128, 140, 105, 170, 151, 170];
    const out = await restoreFaces(photo, [landmarks], restorer, { fidelity: 0.5 });
    const centre = (128 * 256 + 128) * 3;
    expect(Array.from(out.data.subarray(centre, centre + 3))).toEqual([55, 155, 225]);
    expect(Array.from(out.data.subarray(0, 3))).toEqual([200, 100, 30]);
  });
});

describe('model choice', () => {
  const ref = (name: string, purpose: OnnxModelRef['purpose']): OnnxModelRef => ({ name, purpose, path: join(dir, `${name}.onnx`), sha256: HASH });

  it('keeps the embedded defaults with nothing installed', () => {
    useModels([]);
    expect(faceModels()).toEqual(EMBEDDED_FACE_MODELS);
    expect(currentChoice().recognition).toBe(EMBEDDED_FACE_MODELS.embedding);
  });

  it('picks the strongest installed model per step and names it in the results', () => {
    useModels([ref('arcface_r50_webface600k', 'recognition'), ref('arcface_r100_glint360k', 'recognition'), ref('bisenet_face_parsing_79999', 'parsing'), ref('gfpgan_v1.4', 'restoration'), ref('codeformer_v0.1.0', 'restoration'), ref('scrfd_10g_bnkps', 'detector')]);
    expect(bestModel('recognition')?.name).toBe('arcface_r100_glint360k');
    expect(bestModel('restoration')?.name).toBe('codeformer_v0.1.0');
    const models = faceModels();
    expect(models.embedding).toBe('arcface_r100_glint360k (onnx aaaaaaaaaaaa)');
    expect(models.mask).toContain('bisenet_face_parsing_79999');
    // Detection has no ONNX decoder yet: the choice says the embedded detector ran, not SCRFD.
    expect(models.detector).toBe(EMBEDDED_FACE_MODELS.detector);
    useModels([]);
  });
});
