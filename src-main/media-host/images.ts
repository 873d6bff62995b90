// Image work with sharp: probe, thumbnail, decode (to pixels or to the engine's planar float tensor) and encode.
// Inputs are untrusted files: formats are limited to photographs, pixel counts are bounded before decoding,
// and every failure says what was expected and what arrived.
import sharp, { type Metadata, type Sharp } from 'sharp';

import {
  type DecodedImage,
  type EncodedImage,
  type EncodeFormat,
  type ImageInfo,
  type ImageMethods,
  type ImageSource,
  INPUT_FORMATS,
  MEDIA_LIMITS,
  type Pixels,
} from '../common/protocol/media.js';
import type { HostHandlers } from '../services/processes/host-server.js';
import { MediaError } from './media-error.js';
import { pixelsToTensor, tensorToPixels } from './tensor-pixels.js';

const where = (source: ImageSource) => ('path' in source ? source.path : `${source.bytes.byteLength} bytes`);

function decodeError(error: unknown, source: ImageSource): MediaError {
  const message = (error as Error).message;
  if (/missing|ENOENT|no such file/i.test(message)) {
    return new MediaError('E_FILE_NOT_FOUND', `expected an image file at ${where(source)}, but there is none`);
  }
  if (/unsupported image format/i.test(message)) {
    return new MediaError('E_UNSUPPORTED_FORMAT', `expected a JPEG, PNG, WebP, TIFF or HEIF image, received an unknown format (${where(source)})`);
  }
  return new MediaError(
    'E_BAD_IMAGE',
    `expected a readable image, received one that cannot be decoded (${where(source)}): ${message}`,
    'The file may be truncated or damaged; export it again from the camera or the editor.',
  );
}

async function open(source: ImageSource): Promise<{ image: Sharp; meta: Metadata }> {
  const image = sharp('path' in source ? source.path : source.bytes, { limitInputPixels: MEDIA_LIMITS.inputPixels, autoOrient: true });
  let meta: Metadata;
  try {
    meta = await image.metadata();
  } catch (error) {
    throw decodeError(error, source);
  }
  if (!(INPUT_FORMATS as readonly string[]).includes(meta.format)) {
    throw new MediaError(
      'E_UNSUPPORTED_FORMAT',
      `expected a JPEG, PNG, WebP, TIFF or HEIF image, received ${meta.format} (${where(source)})`,
      'Convert it to JPEG or PNG first.',
    );
  }
  if (meta.width * meta.height > MEDIA_LIMITS.inputPixels) {
    throw new MediaError(
      'E_BAD_IMAGE',
      `expected at most ${MEDIA_LIMITS.inputPixels / 1e6} megapixels, received ${meta.width} x ${meta.height} (${where(source)})`,
      'Downscale the image before importing it.',
    );
  }
  return { image, meta };
}

async function run<T>(source: ImageSource, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof MediaError ? error : decodeError(error, source);
  }
}

async function encode(image: Sharp, format: EncodeFormat, quality: number | undefined): Promise<EncodedImage> {
  // JPEG has no alpha: flatten onto white, as a print would show it.
  const encoder = format === 'png' ? image.png() : image.flatten({ background: '#ffffff' }).jpeg({ quality: quality ?? 92, mozjpeg: true });
  const { data, info } = await encoder.toBuffer({ resolveWithObject: true });
  return { data, format, width: info.width, height: info.height };
}

function rawInput(pixels: Pixels): Sharp {
  return sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels } });
}

export const mediaHandlers: HostHandlers<ImageMethods> = {
  'media.probe': async ({ source }): Promise<ImageInfo> => {
    const { meta } = await open(source);
    return {
      format: meta.format,
      width: meta.autoOrient.width,
      height: meta.autoOrient.height,
      orientation: meta.orientation ?? 1,
      channels: meta.channels,
      hasAlpha: meta.hasAlpha,
      space: meta.space,
      depth: meta.depth,
      hasProfile: meta.hasProfile,
    };
  },

  'media.thumbnail': async ({ source, size, format, quality }) => {
    const { image } = await open(source);
    return run(source, () =>
      encode(image.resize(size, size, { fit: 'inside', withoutEnlargement: true }).toColourspace('srgb'), format ?? 'jpeg', quality),
    );
  },

  'media.decode': async ({ source, width, height, fit, as }): Promise<DecodedImage> => {
    const { image } = await open(source);
    const sized = width !== undefined && height !== undefined ? image.resize(width, height, { fit: fit ?? 'cover' }) : image;
    const { data, info } = await run(source, () =>
      sized.flatten({ background: '#ffffff' }).toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true }),
    );
    const pixels: Pixels = { data, width: info.width, height: info.height, channels: 3 };
    if (as === 'tensor') return { layout: 'tensor', tensor: pixelsToTensor(pixels), width: info.width, height: info.height };
    return { layout: 'rgb8', ...pixels };
  },

  'media.encode': async ({ image, format, quality }) => {
    const pixels = 'pixels' in image ? image.pixels : tensorToPixels(image.tensor, image.index ?? 0);
    return encode(rawInput(pixels), format, quality);
  },
};
