// Super-resolution with the embedded ESRGAN-slim models on tfjs-wasm, and the deliverable renderer. Seams are
// measured against the whole-image upscale along every tile border; a margin-less tiling shows the metric
// does see seams. Inputs stay small: one 128 px tile costs about a second of wasm time on two cores.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Pixels } from '../../src-main/common/protocol/media.js';
import { upscalePixels } from '../../src-main/media-host/finishing/super-resolution.js';
import { planTiles } from '../../src-main/media-host/finishing/tiles.js';
import { createMediaHost, hostEntry, type MediaHost } from '../../src-main/services/processes/hosts.js';

const astronaut = join(import.meta.dirname, '..', 'fixtures', 'faces', 'astronaut.jpg');
const built = existsSync(hostEntry('media'));

async function crop(left: number, top: number, width: number, height: number): Promise<Pixels> {
  const data = await sharp(astronaut).extract({ left, top, width, height }).raw().toBuffer();
  return { data: new Uint8Array(data), width, height, channels: 3 };
}

/** Mean absolute difference to the reference in the 4 pixel columns/rows straddling each interior tile border. */
function seamError(tiled: Pixels, whole: Pixels, borderEvery: number): { mean: number; max: number } {
  let sum = 0, n = 0, max = 0;
  const add = (x: number, y: number) => {
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(tiled.data[(y * tiled.width + x) * 3 + c]! - whole.data[(y * whole.width + x) * 3 + c]!);
      sum += d;
      max = Math.max(max, d);
      n++;
    }
  };
  for (let b = borderEvery; b < tiled.width; b += borderEvery) for (let y = 0; y < tiled.height; y++) for (let x = b - 2; x < b + 2; x++) add(x, y);
  for (let b = borderEvery; b < tiled.height; b += borderEvery) for (let x = 0; x < tiled.width; x++) for (let y = b - 2; y < b + 2; y++) add(x, y);
  return { mean: sum / n, max };
}

describe('tile plan', () => {
  it('covers every pixel once with cores, and gives each core its margin inside the image', () => {
    const tiles = planTiles(100, 70, 32, 16);
    expect(tiles).toHaveLength(4 * 3);
    const seen = new Uint8Array(100 * 70);
    for (const t of tiles) {
      for (let y = t.y; y < t.y + t.height; y++) for (let x = t.x; x < t.x + t.width; x++) seen[y * 100 + x]! += 1;
      expect(t.inX).toBe(Math.max(0, t.x - 16));
      expect(t.inX + t.inWidth).toBe(Math.min(100, t.x + t.width + 16));
      expect(t.inY + t.inHeight).toBe(Math.min(70, t.y + t.height + 16));
    }
    expect(seen.every((v) => v === 1)).toBe(true);
  });
});

describe('super-resolution (esrgan-slim on tfjs-wasm)', () => {
  it('tiles with overlap leave no seam: tile borders match the whole-image upscale', async () => {
    const input = await crop(150, 40, 136, 104); // several 48 px tiles, the last ones partial
    const whole = await upscalePixels(input, 2, { tileSize: 1024 });
    const tiled = await upscalePixels(input, 2, { tileSize: 48 });
    const naive = await upscalePixels(input, 2, { tileSize: 48, margin: 0 });
    expect([tiled.pixels.width, tiled.pixels.height]).toEqual([272, 208]);
    expect(tiled.step).toMatchObject({ step: 'upscale', scale: 2, tileSize: 48, margin: 16, tiles: 9, width: 272, height: 208 });
    expect(tiled.step.model).toMatch(/^esrgan-slim x2 \(@upscalerjs\/esrgan-slim 1\.0\.0, wasm\)$/);
    const seams = seamError(tiled.pixels, whole.pixels, 96);
    const naiveSeams = seamError(naive.pixels, whole.pixels, 96);
    console.log(`seam error at tile borders: overlap ${seams.mean.toFixed(4)} (max ${seams.max}), no overlap ${naiveSeams.mean.toFixed(2)} (max ${naiveSeams.max}); whole ${whole.step.ms} ms, tiled ${tiled.step.ms} ms`);
    expect(seams.max).toBeLessThanOrEqual(1); // float rounding only
    expect(seams.mean).toBeLessThan(0.05);
    expect(naiveSeams.mean).toBeGreaterThan(10 * Math.max(seams.mean, 0.05));
    // And the upscale is an upscale: close to a plain bicubic enlargement of the same input.
    const bicubic = await sharp(input.data, { raw: { width: 136, height: 104, channels: 3 } }).resize(272, 208, { kernel: 'cubic' }).raw().toBuffer();
    let diff = 0;
    for (let i = 0; i < bicubic.length; i++) diff += Math.abs(bicubic[i]! - tiled.pixels.data[i]!);
    expect(diff / bicubic.length).toBeLessThan(8);
  });
});

describe.skipIf(!built)('finishing methods through the media host (needs npx tsc -p tsconfig.json)', () => {
  let host: MediaHost;
  beforeAll(async () => {
    host = createMediaHost({ onOutput: () => undefined });
    await host.start();
  });
  afterAll(() => host.stop());

  it('renders a small portrait to a 2048 px deliverable: x4 super-resolution, Lanczos, sRGB profile', async () => {
    const small = { bytes: new Uint8Array(await sharp(astronaut).extract({ left: 130, top: 30, width: 200, height: 150 }).png().toBuffer()) };
    const started = Date.now();
    const rendered = await host.request('finishing.render', { source: small, options: { format: 'jpeg' } });
    console.log(`render 200x150 -> 2048 (x4 SR + Lanczos + JPEG): ${Date.now() - started} ms`);
    expect([rendered.width, rendered.height, rendered.format]).toEqual([2048, 1536, 'jpeg']);
    expect(rendered.steps.map((s) => s.step)).toEqual(['decode', 'upscale', 'resize', 'colour', 'metadata', 'encode']);
    expect(rendered.steps[1]).toMatchObject({ step: 'upscale', scale: 4, width: 800, height: 600, tiles: 4 });
    expect(rendered.steps[2]).toEqual({ step: 'resize', kernel: 'lanczos3', width: 2048, height: 1536 });
    const meta = await sharp(rendered.data).metadata();
    expect([meta.format, meta.width, meta.height, meta.hasProfile, meta.space]).toEqual(['jpeg', 2048, 1536, true, 'srgb']);
  });

  it('upscales on request and refuses a bad factor', async () => {
    const source = { bytes: new Uint8Array(await sharp(astronaut).extract({ left: 180, top: 60, width: 64, height: 48 }).png().toBuffer()) };
    const up = await host.request('finishing.upscale', { source, scale: 2, tileSize: 32 });
    expect([up.width, up.height, up.step.tiles]).toEqual([128, 96, 4]);
    expect((await sharp(up.data).metadata()).format).toBe('png');
    await expect(host.request('finishing.upscale', { source, scale: 3 as 2 })).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT', message: 'expected scale to be 2 or 4, received 3' });
  });
});
