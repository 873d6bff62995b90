// Turns an imported file into what the studio works with, or refuses it with a clear error: the original
// stays byte-for-byte as given; the processing copy is upright (EXIF orientation applied), sRGB, 8-bit, RGB,
// lossless PNG without metadata, so every later step sees the same pixels whatever the camera wrote (CMYK,
// 16-bit, rotated, wide-gamut ICC); the thumbnail comes from the same decode rules.
import sharp from 'sharp';

import { LibraryError } from './library-error.js';
import { makeThumbnail } from './thumbnailer.js';

export interface ImageLimits {
  /** Decompression-bomb guard (sharp's limitInputPixels). 200 MP admits every current camera (GFX100: 102 MP). */
  maxInputPixels: number;
  maxFileBytes: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxInputPixels: 200_000_000, maxFileBytes: 512 * 1024 * 1024 };

const ACCEPTED: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', tiff: 'image/tiff', heif: 'image/avif' };
const ACCEPTED_TEXT = 'a JPEG, PNG, WebP, TIFF or AVIF image';

export interface PreparedImage {
  format: string;
  mediaType: string;
  /** Size of the upright processing copy. */
  width: number;
  height: number;
  processing: Buffer;
  thumbnail: Buffer;
}

/** Re-types a sharp failure as the LibraryError a photographer can act on. */
export function decodeError(error: unknown, name: string, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): LibraryError {
  const detail = error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
  if (/unsupported image format/i.test(detail)) {
    return new LibraryError('not_an_image', `expected ${ACCEPTED_TEXT}, received ${name}, which is not an image`, 'Choose a photo file.');
  }
  if (/exceeds pixel limit/i.test(detail)) {
    return new LibraryError(
      'too_many_pixels',
      `expected an image of at most ${limits.maxInputPixels / 1e6} megapixels, received ${name}, which is larger`,
      'The file may be damaged or crafted to exhaust memory; export it at a smaller size.',
    );
  }
  return new LibraryError('corrupt_image', `expected a complete image, received ${name}, which is truncated or damaged (${detail})`, 'Copy the file from the camera or backup again.');
}

/** Decodes, checks and converts one image; throws LibraryError and writes nothing when the file is refused. */
export async function prepareImage(data: Buffer, name: string, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): Promise<PreparedImage> {
  if (data.byteLength === 0) throw new LibraryError('empty_file', `expected ${ACCEPTED_TEXT}, received ${name}, which is empty (0 bytes)`, 'The copy may have failed; copy it again.');
  if (data.byteLength > limits.maxFileBytes) {
    throw new LibraryError('too_large', `expected a file of at most ${limits.maxFileBytes / 2 ** 20} MiB, received ${name} of ${(data.byteLength / 2 ** 20).toFixed(0)} MiB`);
  }
  const options = { limitInputPixels: limits.maxInputPixels, failOn: 'error' as const };
  const metadata = await sharp(data, options).metadata().catch((error: unknown) => {
    throw decodeError(error, name, limits);
  });
  const mediaType = ACCEPTED[metadata.format];
  if (mediaType === undefined || (metadata.format === 'heif' && metadata.compression !== 'av1')) {
    const what = metadata.format === 'heif' ? 'a HEIC photo' : `a ${metadata.format.toUpperCase()} file`;
    throw new LibraryError('unsupported_format', `expected ${ACCEPTED_TEXT}, received ${name}, ${what}`, 'Export it as JPEG or PNG first.');
  }
  try {
    let pipeline = sharp(data, options).rotate();
    if (metadata.hasAlpha) pipeline = pipeline.flatten({ background: '#ffffff' });
    const { data: processing, info } = await pipeline
      .toColourspace('srgb')
      .png({ compressionLevel: 3, adaptiveFiltering: false })
      .toBuffer({ resolveWithObject: true });
    const thumbnail = await makeThumbnail(data, { limitInputPixels: limits.maxInputPixels });
    return { format: metadata.format, mediaType, width: info.width, height: info.height, processing, thumbnail };
  } catch (error) {
    throw decodeError(error, name, limits);
  }
}
