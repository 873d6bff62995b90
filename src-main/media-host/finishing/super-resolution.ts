// Super-resolution with the embedded ESRGAN-slim models (@upscalerjs/esrgan-slim, MIT: RDN C1-D2-G4-G064-T10 trained
// on DIV2K, ~1 MB per factor) on the tfjs WebAssembly backend. The `upscaler` package itself is not used: its Node
// build requires tfjs-node (a native download) and its browser build needs bundling, while the models are plain
// Keras layers models that tfjs-layers loads directly; tiling is ours (tiles.ts) so seams are impossible by design.
// An installed Real-ESRGAN x4 (onnx/upscaler.ts) takes over x4 requests, and the recorded step names it.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import type { LayersModel } from '@tensorflow/tfjs-layers';

import type { FinishingStep, Pixels, UpscaleFactor } from '../../common/protocol/media.js';
import { MediaError } from '../media-error.js';
import { upscaleInstalled } from '../onnx/upscaler.js';
import { exclusive, packageRoot, packageVersion, requirePackage, tfjs, yieldToEventLoop } from '../tfjs/runtime.js';
import { planTiles, SR_MARGIN } from './tiles.js';

export type UpscaleStep = Extract<FinishingStep, { step: 'upscale' }>;

export const DEFAULT_TILE = 128;
/** Upscaled images may not be longer than this (memory; no print needs more). */
export const MAX_UPSCALED_SIDE = 16_384;
const PACKAGE = '@upscalerjs/esrgan-slim';

export function upscaleModelName(scale: UpscaleFactor): string {
  return `esrgan-slim x${scale} (${PACKAGE} ${packageVersion(PACKAGE)}, wasm)`;
}

const models = new Map<UpscaleFactor, Promise<LayersModel>>();

function model(scale: UpscaleFactor): Promise<LayersModel> {
  let loading = models.get(scale);
  if (!loading) {
    loading = (async () => {
      await tfjs();
      const layers = requirePackage<typeof import('@tensorflow/tfjs-layers')>('@tensorflow/tfjs-layers');
      return layers.loadLayersModel(pathToFileURL(join(packageRoot(PACKAGE), 'models', `x${scale}`, 'model.json')).href);
    })();
    models.set(scale, loading);
  }
  return loading;
}

export interface UpscaleOptions {
  tileSize?: number;
  /** Only tests change it, to show what a too-small margin does. */
  margin?: number;
  signal?: AbortSignal;
}

/** RGB pixels upscaled by `scale`, tile by tile; the model takes and returns 0-255 floats, NHWC. */
export async function upscalePixels(source: Pixels, scale: UpscaleFactor, options: UpscaleOptions = {}): Promise<{ pixels: Pixels; step: UpscaleStep }> {
  const { tileSize = DEFAULT_TILE, margin = SR_MARGIN, signal } = options;
  const started = performance.now();
  if (Math.max(source.width, source.height) * scale > MAX_UPSCALED_SIDE) {
    throw new MediaError('E_BAD_ARGUMENT', `expected an upscaled long side of at most ${MAX_UPSCALED_SIDE} px, received ${Math.max(source.width, source.height)} x ${scale}`, 'Upscale smaller images, or use upscale "auto" or "off".');
  }
  const installed = await upscaleInstalled(source, scale, tileSize, signal);
  if (installed) return installed;
  const [tf, network] = await Promise.all([tfjs(), model(scale)]);
  const { width, height, channels, data } = source;
  const outWidth = width * scale, outHeight = height * scale;
  const out = new Uint8Array(outWidth * outHeight * 3);
  const tiles = planTiles(width, height, tileSize, margin);
  for (const tile of tiles) {
    if (signal?.aborted) throw new MediaError('E_CANCELLED', 'the request was cancelled');
    const input = new Float32Array(tile.inWidth * tile.inHeight * 3);
    for (let y = 0; y < tile.inHeight; y++) {
      for (let x = 0; x < tile.inWidth; x++) {
        const from = ((tile.inY + y) * width + tile.inX + x) * channels, to = (y * tile.inWidth + x) * 3;
        input[to] = data[from]!;
        input[to + 1] = data[from + 1]!;
        input[to + 2] = data[from + 2]!;
      }
    }
    const result = await exclusive(async () => {
      const prediction = tf.tidy(() => network.predict(tf.tensor4d(input, [1, tile.inHeight, tile.inWidth, 3])) as ReturnType<typeof tf.tensor4d>);
      try {
        return prediction.dataSync();
      } finally {
        prediction.dispose();
      }
    });
    const rowLength = tile.inWidth * scale;
    const offX = (tile.x - tile.inX) * scale, offY = (tile.y - tile.inY) * scale;
    for (let y = 0; y < tile.height * scale; y++) {
      for (let x = 0; x < tile.width * scale; x++) {
        const from = ((offY + y) * rowLength + offX + x) * 3, to = ((tile.y * scale + y) * outWidth + tile.x * scale + x) * 3;
        for (let c = 0; c < 3; c++) out[to + c] = Math.min(255, Math.max(0, Math.round(result[from + c]!)));
      }
    }
    await yieldToEventLoop();
  }
  return {
    pixels: { data: out, width: outWidth, height: outHeight, channels: 3 },
    step: {
      step: 'upscale',
      model: upscaleModelName(scale),
      scale,
      tileSize,
      margin,
      tiles: tiles.length,
      width: outWidth,
      height: outHeight,
      ms: Math.round(performance.now() - started),
    },
  };
}
