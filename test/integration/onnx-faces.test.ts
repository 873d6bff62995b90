// faces.* with installed (test-built) ONNX models on a real photograph: the pipeline switches the embedding to
// the installed ArcFace and the mask to the installed BiSeNet, and every result names the model that made it;
// faces.mask gives the mask and its inverse for style references. Handlers run in this process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { FaceAnalysis } from '../../src-main/common/protocol/media.js';
import { faceHandlers } from '../../src-main/media-host/faces/handlers.js';
import { EMBEDDED_FACE_MODELS } from '../../src-main/media-host/faces/human-models.js';
import { modelHandlers } from '../../src-main/media-host/onnx/handlers.js';
import { releaseSessions } from '../../src-main/media-host/onnx/sessions.js';
import { arcfaceLike, bisenetLike } from './onnx-builders.js';

const astronaut = { path: join(import.meta.dirname, '..', 'fixtures', 'faces', 'astronaut.jpg') };
const context = { id: 1, signal: new AbortController().signal, progress: () => undefined };
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'magicapture-onnx-faces-'));
});
afterAll(async () => {
  await modelHandlers['models.use']({ models: [] }, context);
  await releaseSessions();
  rmSync(dir, { recursive: true, force: true });
});

describe('the face pipeline with installed ONNX models', () => {
  let embedded: FaceAnalysis;

  it('uses the embedded models when nothing is installed', async () => {
    embedded = await faceHandlers['faces.analyze']({ source: astronaut, maskSize: 256 }, context);
    expect(embedded.models).toEqual(EMBEDDED_FACE_MODELS);
    expect(embedded.faces[0]?.embedding?.length).toBe(1024);
  });

  it('switches embedding and mask to the installed models and names them', async () => {
    const w = Float32Array.from({ length: 3 * 512 }, (_, i) => Math.cos(i * 0.11));
    const choice = await modelHandlers['models.use'](
      {
        models: [
          { name: 'arcface_r50_webface600k', purpose: 'recognition', path: arcfaceLike(join(dir, 'arcface.onnx'), w), sha256: 'b'.repeat(64) },
          { name: 'bisenet_face_parsing_79999', purpose: 'parsing', path: bisenetLike(join(dir, 'bisenet.onnx')), sha256: 'c'.repeat(64) },
        ],
      },
      context,
    );
    expect(choice.recognition).toBe('arcface_r50_webface600k (onnx bbbbbbbbbbbb)');
    const analysis = await faceHandlers['faces.analyze']({ source: astronaut, maskSize: 256 }, context);
    expect(analysis.models.embedding).toBe(choice.recognition);
    expect(analysis.models.mask).toContain('bisenet_face_parsing_79999');
    expect(analysis.models.detector).toBe(EMBEDDED_FACE_MODELS.detector);
    const embedding = analysis.faces[0]!.embedding!;
    expect(embedding).toHaveLength(512);
    expect(Math.hypot(...embedding)).toBeCloseTo(1, 5);
    expect(analysis.faces[0]!.box).toEqual(embedded.faces[0]!.box);
    expect(analysis.mask?.width).toBe(256);
  });

  it('gives the mask and its exact inverse for style references', async () => {
    const { mask, inverse, model } = await modelHandlers['faces.mask']({ source: astronaut, maskSize: 128 }, context);
    expect(model).toContain('bisenet_face_parsing_79999');
    expect(Math.max(mask.width, mask.height)).toBe(128);
    expect(inverse.data.every((v, i) => v === 255 - mask.data[i]!)).toBe(true);
  });
});
