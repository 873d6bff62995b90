// The media host as the broker uses it: a real forked process running the compiled host with real sharp.
// Images are JPEG/PNG files written by sharp here (a camera-style JPEG with an EXIF rotation among them).
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createMediaHost, hostEntry, type MediaHost } from '../../src-main/services/processes/hosts.js';

const built = existsSync(hostEntry('media'));
const dir = mkdtempSync(join(tmpdir(), 'magicapture-media-'));

/** 640 x 480 landscape, red top half and blue bottom half, stored with EXIF orientation 6 (shown as portrait). */
async function cameraJpeg(): Promise<string> {
  const width = 640;
  const height = 480;
  const rgb = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) rgb.set(i < (width * height) / 2 ? [220, 30, 30] : [30, 30, 220], i * 3);
  const path = join(dir, 'camera.jpg');
  await sharp(rgb, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toFile(path);
  return path;
}

describe.skipIf(!built)('media host (needs npx tsc -p tsconfig.json)', () => {
  let host: MediaHost;
  let photo: string;

  beforeAll(async () => {
    host = createMediaHost({ onOutput: () => undefined });
    [photo] = await Promise.all([cameraJpeg(), host.start()]);
  });
  afterAll(() => host.stop());

  it('handshakes with the sharp and libvips versions it runs', () => {
    expect(host.ready).toMatchObject({ host: 'media', capabilities: { sharp: sharp.versions.sharp, libvips: sharp.versions.vips } });
    expect(host.ready?.capabilities.outputFormats).toEqual(['png', 'jpeg']);
  });

  it('probes a photo as displayed (EXIF rotation applied)', async () => {
    const info = await host.request('media.probe', { source: { path: photo } });
    expect(info).toMatchObject({ format: 'jpeg', width: 480, height: 640, orientation: 6, channels: 3, hasAlpha: false });
  });

  it('makes an upright thumbnail of a real JPEG', async () => {
    const thumb = await host.request('media.thumbnail', { source: { path: photo }, size: 128 });
    expect(thumb).toMatchObject({ format: 'jpeg', width: 96, height: 128 });
    expect(thumb.data).toBeInstanceOf(Uint8Array);
    const { data, info } = await sharp(thumb.data).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([96, 128]);
    // Orientation 6 turns the image 90 degrees clockwise: the red top half becomes the right half.
    const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    expect(at(90, 64)[0]).toBeGreaterThan(180);
    expect(at(5, 64)[2]).toBeGreaterThan(180);
    const small = await host.request('media.thumbnail', { source: { bytes: thumb.data }, size: 512, format: 'png' });
    expect(small).toMatchObject({ format: 'png', width: 96, height: 128 });
  });

  it('decodes to the planar float tensor the engine takes, and encodes an engine-style tensor to PNG', async () => {
    const decoded = await host.request('media.decode', { source: { path: photo }, width: 64, height: 64, as: 'tensor' });
    if (decoded.layout !== 'tensor') throw new Error(`expected a tensor, received ${decoded.layout}`);
    expect(decoded.tensor.shape).toEqual([1, 3, 64, 64]);
    expect(decoded.tensor.data).toBeInstanceOf(Float32Array);
    const png = await host.request('media.encode', { image: { tensor: decoded.tensor }, format: 'png' });
    const back = await host.request('media.decode', { source: { bytes: png.data } });
    if (back.layout !== 'rgb8') throw new Error(`expected rgb8, received ${back.layout}`);
    expect([back.width, back.height, back.channels]).toEqual([64, 64, 3]);
    for (let i = 0; i < 64 * 64; i += 97) {
      for (let c = 0; c < 3; c++) expect(back.data[i * 3 + c]).toBe(Math.round(decoded.tensor.data[c * 4096 + i]! * 255));
    }
  });

  it('refuses missing, damaged, unsupported and malformed inputs with typed errors', async () => {
    await expect(host.request('media.probe', { source: { path: join(dir, 'absent.jpg') } })).rejects.toMatchObject({
      code: 'E_FILE_NOT_FOUND',
      message: `expected an image file at ${join(dir, 'absent.jpg')}, but there is none`,
    });
    const jpeg = await sharp(photo).toBuffer();
    const truncated = join(dir, 'truncated.jpg');
    writeFileSync(truncated, jpeg.subarray(0, Math.floor(jpeg.length / 3)));
    await expect(host.request('media.thumbnail', { source: { path: truncated }, size: 64 })).rejects.toMatchObject({ code: 'E_BAD_IMAGE' });
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    await expect(host.request('media.probe', { source: { bytes: svg } })).rejects.toMatchObject({
      code: 'E_UNSUPPORTED_FORMAT',
      message: `expected a JPEG, PNG, WebP, TIFF or HEIF image, received svg (${svg.length} bytes)`,
    });
    await expect(host.request('media.thumbnail', { source: { path: photo }, size: 4 })).rejects.toMatchObject({
      code: 'E_BAD_ARGUMENT',
      message: 'expected size to be an integer from 16 to 2048, received 4',
    });
    await expect(host.request('media.encode', { image: { pixels: { data: new Uint8Array(5), width: 8, height: 8, channels: 3 } }, format: 'png' })).rejects.toMatchObject({
      code: 'E_BAD_ARGUMENT',
      message: 'expected image.pixels.data to be 192 bytes, received a Uint8Array of 5 bytes',
    });
  });
});
