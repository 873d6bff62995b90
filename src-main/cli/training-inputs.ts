// The training images of `magicapture train` as the trainer takes them (native/lib/training.ts): each photo and
// its face mask decoded with sharp, EXIF-oriented, in sRGB, resized so the shorter side is the training resolution
// and centre-cropped to a square (METHOD.md §1.2), as [3, R, R] and [1, R, R] floats in [0, 1].
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';

import sharp from 'sharp';

import type { NativeTensor } from '../../native/lib/addon.js';
import { UsageError } from './args.js';
import { InputError } from './input-error.js';

type Pipeline = ReturnType<typeof sharp>;

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.avif', '.heic', '.heif', '.gif'];
export const MAX_IMAGES = 64;

export interface ImageFile {
  /** The file name inside its folder, the key of the landmarks file. */
  name: string;
  path: string;
}

/** How an original of width x height maps onto the square training crop. */
export interface CoverCrop {
  width: number;
  height: number;
  resizedWidth: number;
  resizedHeight: number;
  left: number;
  top: number;
  size: number;
}

export interface DecodedPair {
  image: NativeTensor;
  faceMask: NativeTensor;
  crop: CoverCrop;
  imageSha256: string;
  maskSha256: string;
}

function baseName(name: string): string {
  return name.slice(0, name.length - extname(name).length);
}

async function requireFolder(dir: string, option: string): Promise<string> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw new UsageError(`expected --${option} to be a folder, received ${JSON.stringify(dir)}, which does not exist`);
  if (!info.isDirectory()) throw new UsageError(`expected --${option} to be a folder, received the file ${JSON.stringify(dir)}`);
  return resolve(dir);
}

/** The images of a folder, sorted by name (the official code takes filesystem order, which is not reproducible). */
export async function listImages(dir: string, option: string): Promise<ImageFile[]> {
  const folder = await requireFolder(dir, option);
  const entries = await readdir(folder, { withFileTypes: true });
  const visible = entries.filter((e) => e.isFile() && !e.name.startsWith('.'));
  const images = visible.filter((e) => IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase()));
  if (images.length === 0 || images.length > MAX_IMAGES) {
    const others = visible.length > images.length ? ` (other files: ${visible.slice(0, 3).map((e) => e.name).join(', ')})` : '';
    throw new UsageError(
      `expected 1 to ${MAX_IMAGES} images (${IMAGE_EXTENSIONS.join(' ')}) in --${option} ${JSON.stringify(dir)}, ` +
        `received ${images.length}${others}`,
    );
  }
  return images.map((e) => ({ name: e.name, path: join(folder, e.name) })).sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The mask of every image: the one image in the masks folder with the same base name (any extension). */
export async function matchMasks(images: ImageFile[], dir: string, option: string, imageOption: string): Promise<ImageFile[]> {
  const folder = await requireFolder(dir, option);
  if (folder === resolve(images[0]?.path ?? '', '..')) {
    throw new UsageError(`expected --${option} to be another folder than --${imageOption}, received the same folder`);
  }
  const byBase = new Map<string, string[]>();
  for (const e of await readdir(folder, { withFileTypes: true })) {
    if (!e.isFile() || e.name.startsWith('.') || !IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase())) continue;
    byBase.set(baseName(e.name), [...(byBase.get(baseName(e.name)) ?? []), e.name]);
  }
  return images.map((image) => {
    const found = byBase.get(baseName(image.name)) ?? [];
    if (found.length !== 1) {
      throw new InputError(
        `expected one mask named ${baseName(image.name)}.<image extension> in --${option} for ${image.name}, ` +
          `received ${found.length === 0 ? 'none' : found.join(' and ')}`,
        'Each mask is a grey image of the same size as its photo, white on the face and black elsewhere.',
      );
    }
    return { name: found[0] as string, path: join(folder, found[0] as string) };
  });
}

export function coverCrop(width: number, height: number, size: number): CoverCrop {
  const scale = size / Math.min(width, height);
  const resizedWidth = Math.max(size, Math.round(width * scale));
  const resizedHeight = Math.max(size, Math.round(height * scale));
  return {
    width,
    height,
    resizedWidth,
    resizedHeight,
    left: Math.floor((resizedWidth - size) / 2),
    top: Math.floor((resizedHeight - size) / 2),
    size,
  };
}

interface Decoded {
  pixels: Buffer;
  width: number;
  height: number;
  sha256: string;
}

/** Reads the file once, so that the recorded hash is of the bytes trained on; `pipeline` gets the EXIF-oriented size. */
async function decode(
  file: ImageFile,
  what: string,
  pipeline: (input: Pipeline, width: number, height: number) => Pipeline,
): Promise<Decoded> {
  const bytes = await readFile(file.path).catch((e: Error) => {
    throw new InputError(`cannot read ${what} ${file.path}: ${e.message}`);
  });
  try {
    const meta = await sharp(bytes).metadata();
    const { width, height } = meta.autoOrient;
    const out = await pipeline(sharp(bytes).autoOrient(), width, height).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return { pixels: out.data, width, height, sha256: createHash('sha256').update(bytes).digest('hex') };
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      `cannot decode ${what} ${file.path}: ${(error as Error).message}`,
      'Use a JPEG, PNG, WebP, TIFF or AVIF file, or remove it from the folder.',
    );
  }
}

function planar(pixels: Buffer, channels: number, size: number): Float32Array {
  const plane = size * size;
  const out = new Float32Array(plane * channels);
  for (let i = 0; i < plane; i++) for (let c = 0; c < channels; c++) out[c * plane + i] = (pixels[i * channels + c] as number) / 255;
  return out;
}

/** A photo and its mask at size x size, after checking that both have the same size and the mask marks a face. */
export async function decodePair(image: ImageFile, mask: ImageFile, role: string, size: number): Promise<DecodedPair> {
  let crop: CoverCrop | undefined;
  const photo = await decode(image, `${role} image`, (input, width, height) => {
    crop = coverCrop(width, height, size);
    return input
      .resize(crop.resizedWidth, crop.resizedHeight, { fit: 'fill', kernel: 'linear' })
      .extract({ left: crop.left, top: crop.top, width: size, height: size })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb');
  });
  const c = crop as CoverCrop;
  const face = await decode(mask, `mask of ${image.name}`, (input, width, height) => {
    if (width !== c.width || height !== c.height) {
      throw new InputError(
        `expected the mask ${mask.name} to be ${c.width}x${c.height} like ${role} image ${image.name}, received ${width}x${height}`,
        'Draw or export the mask on the photo as it is shown (after its EXIF rotation), at full size.',
      );
    }
    return input
      .resize(c.resizedWidth, c.resizedHeight, { fit: 'fill', kernel: 'linear' })
      .extract({ left: c.left, top: c.top, width: size, height: size })
      .flatten({ background: '#000000' })
      .toColourspace('b-w');
  });
  if (photo.pixels.length !== size * size * 3 || face.pixels.length !== size * size) {
    throw new InputError(`expected ${image.name} to decode to 3 colour channels and its mask to 1 grey channel`);
  }
  checkMaskCoverage(face.pixels, `${role} image ${image.name}`, mask.name);
  return {
    image: { data: planar(photo.pixels, 3, size), shape: [3, size, size] },
    faceMask: { data: planar(face.pixels, 1, size), shape: [1, size, size] },
    crop: c,
    imageSha256: photo.sha256,
    maskSha256: face.sha256,
  };
}

/**
 * The trainer floors and renormalises masks (METHOD §1.5: (m + 0.01) / max), so an all-black or all-white mask
 * would silently become "the whole image": refuse both.
 */
function checkMaskCoverage(pixels: Buffer, owner: string, maskName: string): void {
  let face = 0;
  for (const v of pixels) if (v >= 128) face++;
  if (face === 0 || face === pixels.length) {
    throw new InputError(
      `expected the mask ${maskName} of ${owner} to mark the face in white and the rest in black, received an all-` +
        `${face === 0 ? 'black' : 'white'} mask (inside the centre crop)`,
      'MagiCapture learns the identity from the face region of each source and the style from the rest of each reference.',
    );
  }
}
