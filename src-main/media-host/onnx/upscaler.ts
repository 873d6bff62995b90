// Real-ESRGAN-shaped super-resolution ([1, 3, H, W] in [0, 1] -> [1, 3, sH, sW]) run tile by tile with overlap
// (finishing/tiles.ts): a whole 2048 px image would need gigabytes of activations, and the overlap margin is
// cropped away so no tile edge, where the receptive field is cut, reaches the output.
import type { FinishingStep, Pixels } from '../../common/protocol/media.js';
import { planTiles, SR_MARGIN } from '../finishing/tiles.js';
import { MediaError } from '../media-error.js';
import { bestModel, modelLabel } from './model-choice.js';
import { type CachedSession, runSingle, sessionFor } from './sessions.js';
import { fromPlanar, toPlanar, UNIT } from './tensors.js';

type UpscaleStep = Extract<FinishingStep, { step: 'upscale' }>;

function crop(p: Pixels, x: number, y: number, w: number, h: number): Pixels {
  const data = new Uint8Array(w * h * 3);
  for (let row = 0; row < h; row++) {
    for (let col = 0; col < w; col++) {
      const s = ((y + row) * p.width + x + col) * p.channels;
      data.set(p.data.subarray(s, s + 3), (row * w + col) * 3);
    }
  }
  return { data, width: w, height: h, channels: 3 };
}

export async function upscaleOnnx(cached: CachedSession, source: Pixels, tileSize = 128, signal?: AbortSignal): Promise<{ pixels: Pixels; scale: number }> {
  let scale = 0;
  let out: Uint8Array | undefined;
  for (const tile of planTiles(source.width, source.height, tileSize, SR_MARGIN)) {
    if (signal?.aborted) throw new MediaError('E_CANCELLED', 'the request was cancelled');
    const input = crop(source, tile.inX, tile.inY, tile.inWidth, tile.inHeight);
    const result = fromPlanar(await runSingle(cached, toPlanar(input, UNIT), 'the upscaler'), UNIT);
    const s = result.width / input.width;
    if (!Number.isInteger(s) || s < 1 || result.height !== input.height * s || (scale !== 0 && s !== scale)) {
      throw new MediaError('E_BAD_ARGUMENT', `expected the upscaler to scale ${input.width} x ${input.height} by a whole factor, received ${result.width} x ${result.height}`);
    }
    scale = s;
    out ??= new Uint8Array(source.width * scale * source.height * scale * 3);
    const width = source.width * scale;
    for (let row = 0; row < tile.height * scale; row++) {
      const from = ((tile.y - tile.inY) * scale + row) * result.width + (tile.x - tile.inX) * scale;
      const to = (tile.y * scale + row) * width + tile.x * scale;
      out.set(result.data.subarray(from * 3, (from + tile.width * scale) * 3), to * 3);
    }
  }
  return { pixels: { data: out!, width: source.width * scale, height: source.height * scale, channels: 3 }, scale };
}

/** finishing's upscale with the installed ONNX upscaler, when one is installed and has the requested factor. */
export async function upscaleInstalled(source: Pixels, scale: number, tileSize: number, signal?: AbortSignal): Promise<{ pixels: Pixels; step: UpscaleStep } | undefined> {
  const installed = bestModel('upscaler');
  // Real-ESRGAN x4 is the installable release; a x2 request keeps the embedded x2 model rather than resampling.
  if (!installed || scale !== 4) return undefined;
  const started = performance.now();
  const session = await sessionFor(installed.path, installed.sha256);
  const { pixels, scale: made } = await upscaleOnnx(session, source, tileSize, signal);
  if (made !== scale) throw new MediaError('E_BAD_ARGUMENT', `expected ${installed.name} to upscale x${scale}, received x${made}`, 'Install a x4 model, or uninstall this one.');
  return {
    pixels,
    step: { step: 'upscale', model: modelLabel(installed), scale: 4, tileSize, margin: SR_MARGIN, tiles: planTiles(source.width, source.height, tileSize, SR_MARGIN).length, width: pixels.width, height: pixels.height, ms: Math.round(performance.now() - started) },
  };
}
