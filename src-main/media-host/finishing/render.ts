// One deliverable: optional super-resolution, Lanczos resize to the final long edge, sRGB with the profile
// embedded (converted from the source's own profile when it has one), metadata, encode. Defaults follow what
// photographers deliver: JPEG at quality 92 without chroma subsampling (skin edges and eyes stay crisp), PNG
// 8-bit, TIFF 16-bit LZW for retouching (gradients survive curves without banding). Camera metadata of the
// source (GPS, serial numbers) is never copied: only the fields listed in the metadata step are written.
import sharp, { type Sharp } from 'sharp';

import {
  type ExportFormat,
  type ExportMetadata,
  type FinishingStep,
  MEDIA_LIMITS,
  type RenderedImage,
  type RenderOptions,
  type UpscaleChoice,
  type UpscaleFactor,
} from '../../common/protocol/media.js';
import type { ImageSource } from '../../common/protocol/media.js';
import { decodeUpright, throwIfCancelled } from '../faces/analysis.js';
import { mediaHandlers } from '../images.js';
import { MediaError } from '../media-error.js';
import { upscalePixels } from './super-resolution.js';
import { buildXmp, exifTags } from './xmp.js';

export const DEFAULT_LONG_EDGE = 2048;
export const DEFAULT_QUALITY = 92;
/** JPEG keeps XMP in one APP1 segment of at most 65,502 bytes; libvips silently drops a larger packet. */
const JPEG_XMP_BYTES = 65_000;

/** auto: the smallest factor whose result reaches the long edge (4 when none does); none when already there. */
export function upscaleFactor(choice: UpscaleChoice, longSide: number, longEdge: number): UpscaleFactor | undefined {
  if (choice === 'off') return undefined;
  if (choice !== 'auto') return choice;
  if (longSide >= longEdge) return undefined;
  return longSide * 2 >= longEdge ? 2 : 4;
}

export function fittedSize(width: number, height: number, longEdge: number): { width: number; height: number } {
  const scale = longEdge / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** The XMP packet, refused up front when the format cannot carry it. */
export function checkedXmp(format: ExportFormat, metadata: ExportMetadata, now: Date): { xmp: string; fields: string[] } {
  const built = buildXmp(metadata, now);
  const size = Buffer.byteLength(built.xmp);
  if (format === 'jpeg' && size > JPEG_XMP_BYTES) {
    throw new MediaError('E_BAD_ARGUMENT', `expected metadata that fits a JPEG's XMP (${JPEG_XMP_BYTES} bytes), received ${size} bytes`, 'Shorten the recipe or export as PNG or TIFF.');
  }
  return built;
}

function encoder(image: Sharp, options: RenderOptions, bitDepth: 8 | 16): { image: Sharp; step: FinishingStep } {
  const quality = options.quality ?? DEFAULT_QUALITY;
  switch (options.format) {
    case 'jpeg':
      return { image: image.jpeg({ quality, chromaSubsampling: '4:4:4', mozjpeg: true }), step: { step: 'encode', format: 'jpeg', quality, bitDepth: 8 } };
    case 'webp':
      return { image: image.webp({ quality, smartSubsample: true }), step: { step: 'encode', format: 'webp', quality, bitDepth: 8 } };
    case 'png':
      return { image: (bitDepth === 16 ? image.toColourspace('rgb16') : image).png({ compressionLevel: 6 }), step: { step: 'encode', format: 'png', bitDepth } };
    case 'tiff':
      return {
        image: (bitDepth === 16 ? image.toColourspace('rgb16') : image).tiff({ compression: 'lzw', predictor: 'horizontal' }),
        step: { step: 'encode', format: 'tiff', bitDepth },
      };
  }
}

export async function renderDeliverable(source: ImageSource, options: RenderOptions, signal: AbortSignal, now = new Date()): Promise<RenderedImage> {
  const steps: FinishingStep[] = [];
  const info = await mediaHandlers['media.probe']({ source }, { id: 0, signal, progress: () => undefined });
  steps.push({ step: 'decode', width: info.width, height: info.height, orientation: info.orientation, profile: info.hasProfile ? 'embedded' : 'assumed sRGB' });
  const longEdge = options.longEdge ?? DEFAULT_LONG_EDGE;
  const longSide = Math.max(info.width, info.height);
  const factor = upscaleFactor(options.upscale ?? 'auto', longSide, longEdge);

  let image: Sharp;
  let current = { width: info.width, height: info.height };
  if (factor !== undefined) {
    // The decode converts from the source's profile to sRGB, which is what the model was trained on.
    const decoded = await decodeUpright(source, signal, Infinity);
    throwIfCancelled(signal);
    const up = await upscalePixels(decoded.pixels, factor, { signal });
    steps.push(up.step);
    const { data, width, height } = up.pixels;
    image = sharp(data, { raw: { width, height, channels: 3 } });
    current = { width, height };
  } else {
    image = sharp('path' in source ? source.path : source.bytes, { limitInputPixels: MEDIA_LIMITS.inputPixels, autoOrient: true });
  }

  const target = fittedSize(current.width, current.height, longEdge);
  if (target.width !== current.width || target.height !== current.height) {
    image = image.resize(target.width, target.height, { fit: 'fill', kernel: 'lanczos3' });
    steps.push({ step: 'resize', kernel: 'lanczos3', width: target.width, height: target.height });
  }
  image = image.flatten({ background: '#ffffff' }).withIccProfile('srgb');
  steps.push({ step: 'colour', profile: 'sRGB' });

  const metadata: ExportMetadata = options.metadata ?? {};
  const { xmp, fields } = checkedXmp(options.format, metadata, now);
  image = image.withXmp(xmp);
  // libvips writes no EXIF block into TIFF; its XMP carries the same fields there.
  const exif = options.format === 'tiff' ? {} : exifTags(metadata);
  if (Object.keys(exif).length > 0) image = image.withExif({ IFD0: exif });
  steps.push({ step: 'metadata', xmp: fields, exif: Object.keys(exif) });

  const bitDepth = options.bitDepth ?? (options.format === 'tiff' ? 16 : 8);
  const encoded = encoder(image, options, bitDepth);
  steps.push(encoded.step);
  const { data, info: out } = await encoded.image.toBuffer({ resolveWithObject: true }).catch((error: Error) => {
    throw new MediaError('E_BAD_IMAGE', `expected a readable image, received one that failed while rendering (${'path' in source ? source.path : `${source.bytes.byteLength} bytes`}): ${error.message}`, 'The file may be truncated or damaged; export it again.');
  });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), format: options.format, width: out.width, height: out.height, steps };
}
