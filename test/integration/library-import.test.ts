// Importing photos into a real library folder with real sharp: duplicates, EXIF orientation, CMYK and 16-bit
// inputs, and every kind of bad file refused with a clear error and nothing stored.
import { readdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';

import sharp, { type Sharp } from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { Library, LibraryError, type ImportResult } from '../../src-main/services/library/index.js';

let dir: string;
let library: Library;
let projectId: number;

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

const blobFiles = () => filesUnder(join(dir, 'lib')).filter((file) => file.startsWith('blobs'));

/** Left half red, right half blue: orientation mistakes show as colours in the wrong place. */
function twoTone(width: number, height: number): Sharp {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels.set(x < width / 2 ? [220, 20, 20] : [20, 20, 220], (y * width + x) * 3);
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } });
}

async function pixel(sha256: string, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(library.filePath(sha256)).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [...data.subarray(at, at + 3)];
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** A 467-byte PNG that declares 100,000 × 100,000 pixels (10 gigapixels, ~30 GB decoded). */
function decompressionBomb(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(100_000, 0);
  header.writeUInt32BE(100_000, 4);
  header[8] = 8;
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([signature, pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(Buffer.alloc(400_004))), pngChunk('IEND', Buffer.alloc(0))]);
}

function imported(result: ImportResult | undefined) {
  if (result?.status !== 'imported') throw new Error(`expected an imported photo, received ${JSON.stringify(result)}`);
  return result.photo;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'magicapture-library-'));
  library = Library.open({ dir: join(dir, 'lib') });
  const client = library.catalog.clients.create({ name: 'Ada' });
  projectId = library.catalog.projects.create({ clientId: client.id, name: 'Headshots' }).id;
});

afterEach(() => {
  library.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('importing photos', () => {
  it('keeps the original untouched and read-only, with an upright sRGB 8-bit copy and a thumbnail', async () => {
    const jpeg = await twoTone(600, 400).jpeg({ quality: 90 }).toBuffer();
    const path = join(dir, 'IMG_0001.JPG');
    writeFileSync(path, jpeg);
    const photo = imported((await library.importPhotos(projectId, 'source', [{ path }]))[0]);
    expect(photo).toMatchObject({ originalName: 'IMG_0001.JPG', role: 'source', originalFormat: 'jpeg', width: 600, height: 400 });

    const original = library.filePath(photo.originalBlob);
    expect(readFileSync(original).equals(jpeg)).toBe(true);
    expect(statSync(original).mode & 0o222).toBe(0);
    expect(await sharp(library.filePath(photo.processingBlob)).metadata()).toMatchObject({ format: 'png', space: 'srgb', depth: 'uchar', channels: 3 });
    expect(await sharp(library.filePath(photo.thumbnailBlob)).metadata()).toMatchObject({ format: 'webp', width: 256, height: 171 });
    expect(blobFiles()).toHaveLength(3);
  });

  it('the same photo twice is one blob and a clear duplicate, in one batch or later', async () => {
    const jpeg = await twoTone(64, 64).jpeg().toBuffer();
    const first = await library.importPhotos(projectId, 'source', [
      { data: jpeg, name: 'a.jpg' },
      { data: jpeg, name: 'a copy.jpg' },
    ]);
    const photo = imported(first[0]);
    expect(first[1]).toMatchObject({ status: 'duplicate', name: 'a copy.jpg', photo: { id: photo.id } });
    const again = await library.importPhoto(projectId, 'reference', { data: jpeg, name: 'b.jpg' });
    expect(again).toMatchObject({ status: 'duplicate', message: `b.jpg is already in this project as a.jpg (photo ${photo.id})` });
    expect(library.catalog.photos.listByProject(projectId)).toHaveLength(1);

    // Another client's project gets its own photo row, but the bytes are stored once.
    const bob = library.catalog.clients.create({ name: 'Bob' });
    const bobProject = library.catalog.projects.create({ clientId: bob.id, name: 'Bob' });
    const shared = imported((await library.importPhotos(bobProject.id, 'source', [{ data: jpeg, name: 'a.jpg' }]))[0]);
    expect(shared.originalBlob).toBe(photo.originalBlob);
    expect(blobFiles()).toHaveLength(3);
  });

  it('applies EXIF orientation to the processing copy and the thumbnail, not to the original', async () => {
    const rotated = await twoTone(60, 40).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const photo = imported((await library.importPhotos(projectId, 'source', [{ data: rotated, name: 'portrait.jpg' }]))[0]);
    expect([photo.width, photo.height]).toEqual([40, 60]);
    // Orientation 6 = turn 90° clockwise to view: the stored left half (red) becomes the top.
    const [top, bottom] = [await pixel(photo.processingBlob, 20, 5), await pixel(photo.processingBlob, 20, 55)];
    expect(top[0]).toBeGreaterThan(180);
    expect(bottom[2]).toBeGreaterThan(180);
    expect(await sharp(library.filePath(photo.processingBlob)).metadata()).not.toHaveProperty('orientation');
    expect(await sharp(library.filePath(photo.thumbnailBlob)).metadata()).toMatchObject({ width: 40, height: 60 });
    expect((await sharp(library.filePath(photo.originalBlob)).metadata()).orientation).toBe(6);
  });

  it('converts CMYK and 16-bit inputs to sRGB 8-bit', async () => {
    const cmyk = await twoTone(64, 32).toColourspace('cmyk').jpeg().toBuffer();
    const sixteen = await twoTone(64, 32).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    expect((await sharp(sixteen).metadata()).depth).toBe('ushort');
    const results = await library.importPhotos(projectId, 'reference', [
      { data: cmyk, name: 'print.jpg' },
      { data: sixteen, name: 'scan.png' },
    ]);
    for (const result of results) {
      const photo = imported(result);
      expect(await sharp(library.filePath(photo.processingBlob)).metadata()).toMatchObject({ space: 'srgb', depth: 'uchar', channels: 3 });
      const [r, g, b] = await pixel(photo.processingBlob, 5, 5);
      expect(r).toBeGreaterThan(170);
      expect(Math.max(g!, b!)).toBeLessThan(80);
    }
  });

  it('refuses bad files with clear errors and stores nothing', async () => {
    const jpeg = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg().toBuffer();
    const cases: [Buffer, string, string, RegExp][] = [
      [jpeg.subarray(0, jpeg.length >> 1), 'truncated.jpg', 'corrupt_image', /expected a complete image, received truncated.jpg, which is truncated or damaged/],
      [Buffer.from('Dear Ada, here are your photos.'), 'letter.jpg', 'not_an_image', /expected a JPEG, PNG, WebP, TIFF or AVIF image, received letter.jpg, which is not an image/],
      [decompressionBomb(), 'bomb.png', 'too_many_pixels', /expected an image of at most 200 megapixels, received bomb.png/],
      [Buffer.alloc(0), 'empty.jpg', 'empty_file', /received empty.jpg, which is empty \(0 bytes\)/],
      [await sharp(jpeg).gif().toBuffer(), 'anim.gif', 'unsupported_format', /received anim.gif, a GIF file/],
    ];
    const results = await library.importPhotos(
      projectId,
      'source',
      cases.map(([data, name]) => ({ data, name })),
    );
    results.forEach((result, i) => {
      const [, name, code, message] = cases[i]!;
      expect(result.status, name).toBe('refused');
      if (result.status !== 'refused') return;
      expect(result.error).toBeInstanceOf(LibraryError);
      expect(result.error.code, name).toBe(code);
      expect(result.error.message).toMatch(message);
      expect(result.error.hint).not.toBe('');
    });
    await expect(library.importPhoto(projectId, 'source', { path: join(dir, 'missing.jpg') })).rejects.toMatchObject({ code: 'not_found' });
    expect(library.catalog.photos.listByProject(projectId)).toEqual([]);
    expect(library.catalog.blobs.list()).toEqual([]);
    expect(blobFiles()).toEqual([]);
  });

  it('refuses names that would leave the library folder', async () => {
    const jpeg = await twoTone(16, 16).jpeg().toBuffer();
    for (const name of ['../../evil.jpg', 'sub/dir.jpg', '..\\..\\evil.jpg', '..', 'x\u0000.jpg', 'a'.repeat(300)]) {
      const error = await library.importPhoto(projectId, 'source', { data: jpeg, name }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, name).toMatchObject({ code: 'unsafe_path' });
      expect((error as Error).message).toMatch(/expected a file name without folders/);
    }
    expect(blobFiles()).toEqual([]);
    expect(imported(await library.importPhotos(projectId, 'source', [{ data: jpeg, name: 'Zoë – final.jpg' }]).then((r) => r[0])).originalName).toBe('Zoë – final.jpg');
  });

  it('a batch commits the good photos and reports the bad ones', async () => {
    const good = await twoTone(32, 32).jpeg().toBuffer();
    const results = await library.importPhotos(projectId, 'source', [
      { data: good, name: 'good.jpg' },
      { data: Buffer.from('nope'), name: 'bad.jpg' },
    ]);
    expect(results.map((r) => r.status)).toEqual(['imported', 'refused']);
    expect(library.catalog.photos.listByProject(projectId)).toHaveLength(1);
    expect(blobFiles()).toHaveLength(3);
  });

  it('an unknown project or role changes nothing', async () => {
    const jpeg = await twoTone(16, 16).jpeg().toBuffer();
    await expect(library.importPhotos(999, 'source', [{ data: jpeg, name: 'a.jpg' }])).rejects.toMatchObject({ code: 'not_found' });
    await expect(library.importPhotos(projectId, 'selfie' as never, [{ data: jpeg, name: 'a.jpg' }])).rejects.toMatchObject({ code: 'invalid' });
    expect(blobFiles()).toEqual([]);
  });
});
