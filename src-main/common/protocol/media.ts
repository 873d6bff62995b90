// The media host's methods: image decode, resize, thumbnails and encode (sharp). Requests run concurrently;
// sharp keeps its own thread pool. Face models (onnxruntime) will add methods here.
import type { MethodSpec, ParamValidators } from './messages.js';
import { type Tensor, tensor } from './tensor.js';
import { bytes, fail, integer, oneOf, optional, record, text } from './validate.js';

/** A file on disk, or the encoded bytes of one (an upload). */
export type ImageSource = { path: string } | { bytes: Uint8Array };

export type EncodeFormat = 'png' | 'jpeg';
export const ENCODE_FORMATS: readonly EncodeFormat[] = ['png', 'jpeg'];
/** Photographs only: no SVG (it can reference other files), no GIF, no raw vips images. */
export const INPUT_FORMATS = ['jpeg', 'png', 'webp', 'tiff', 'heif'] as const;

export type ResizeFit = 'cover' | 'contain' | 'fill' | 'inside';
export const RESIZE_FITS: readonly ResizeFit[] = ['cover', 'contain', 'fill', 'inside'];

export const MEDIA_LIMITS = {
  /** Decoding refuses larger inputs (decompression bombs): 100 megapixels is beyond any camera we serve. */
  inputPixels: 100_000_000,
  side: [8, 8192],
  thumbnail: [16, 2048],
  quality: [1, 100],
} as const;

/** Interleaved 8-bit pixels, row-major. */
export interface Pixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

export interface ImageInfo {
  format: string;
  /** As displayed, after the EXIF orientation is applied. */
  width: number;
  height: number;
  /** EXIF orientation 1 to 8 (1 when absent). */
  orientation: number;
  channels: number;
  hasAlpha: boolean;
  space: string;
  depth: string;
  hasProfile: boolean;
}

export interface EncodedImage {
  data: Uint8Array;
  format: EncodeFormat;
  width: number;
  height: number;
}

/** rgb8: interleaved pixels; tensor: planar float32 [1, 3, H, W] in [0, 1], what the engine takes. */
export type DecodedImage = ({ layout: 'rgb8' } & Pixels) | { layout: 'tensor'; tensor: Tensor; width: number; height: number };

/** What to encode: pixels, or image `index` of an engine result tensor [N, 3, H, W] (or [3, H, W]). */
export type EncodeInput = { pixels: Pixels } | { tensor: Tensor; index?: number };

export type MediaMethods = {
  'media.probe': MethodSpec<{ source: ImageSource }, ImageInfo>;
  /** Upright (EXIF applied), fitted inside size x size, never enlarged. */
  'media.thumbnail': MethodSpec<{ source: ImageSource; size: number; format?: EncodeFormat; quality?: number }, EncodedImage>;
  /** Upright sRGB, alpha removed; resized when width and height are given (fit default cover). */
  'media.decode': MethodSpec<
    { source: ImageSource; width?: number; height?: number; fit?: ResizeFit; as?: 'rgb8' | 'tensor' },
    DecodedImage
  >;
  'media.encode': MethodSpec<{ image: EncodeInput; format: EncodeFormat; quality?: number }, EncodedImage>;
};

export interface MediaCapabilities {
  sharp: string;
  libvips: string;
  inputFormats: string[];
  outputFormats: EncodeFormat[];
  maxInputPixels: number;
}

// ---- validators ----

function source(value: unknown): ImageSource {
  const s = record(value, 'source');
  if (s['path'] !== undefined) return { path: text(s['path'], 'source.path') };
  if (s['bytes'] !== undefined) return { bytes: bytes(s['bytes'], 'source.bytes') };
  return fail('source', '{path} or {bytes}', value);
}

function side(value: unknown, path: string): number {
  return integer(value, path, ...MEDIA_LIMITS.side);
}

function pixels(value: unknown): Pixels {
  const p = record(value, 'image.pixels');
  const width = side(p['width'], 'image.pixels.width');
  const height = side(p['height'], 'image.pixels.height');
  const channels = integer(p['channels'], 'image.pixels.channels', 3, 4) as 3 | 4;
  const data = bytes(p['data'], 'image.pixels.data');
  if (data.length !== width * height * channels) fail('image.pixels.data', `${width * height * channels} bytes`, data);
  return { data, width, height, channels };
}

function encodeInput(value: unknown): EncodeInput {
  const i = record(value, 'image');
  if (i['pixels'] !== undefined) return { pixels: pixels(i['pixels']) };
  const t = tensor(i['tensor'], 'image.tensor');
  const index = optional(i['index'], (v) => integer(v, 'image.index', 0, 1 << 16));
  return { tensor: t, ...(index === undefined ? {} : { index }) };
}

function quality(value: unknown): number | undefined {
  return optional(value, (v) => integer(v, 'quality', ...MEDIA_LIMITS.quality));
}

export const mediaParams: ParamValidators<MediaMethods> = {
  'media.probe': (p) => ({ source: source(record(p, 'params')['source']) }),
  'media.thumbnail': (p) => {
    const r = record(p, 'params');
    const format = optional(r['format'], (v) => oneOf(v, 'format', ENCODE_FORMATS));
    const q = quality(r['quality']);
    return {
      source: source(r['source']),
      size: integer(r['size'], 'size', ...MEDIA_LIMITS.thumbnail),
      ...(format === undefined ? {} : { format }),
      ...(q === undefined ? {} : { quality: q }),
    };
  },
  'media.decode': (p) => {
    const r = record(p, 'params');
    const width = optional(r['width'], (v) => side(v, 'width'));
    const height = optional(r['height'], (v) => side(v, 'height'));
    if ((width === undefined) !== (height === undefined)) fail('width and height', 'given together', r);
    const fit = optional(r['fit'], (v) => oneOf(v, 'fit', RESIZE_FITS));
    const as = optional(r['as'], (v) => oneOf(v, 'as', ['rgb8', 'tensor'] as const));
    return {
      source: source(r['source']),
      ...(width === undefined || height === undefined ? {} : { width, height }),
      ...(fit === undefined ? {} : { fit }),
      ...(as === undefined ? {} : { as }),
    };
  },
  'media.encode': (p) => {
    const r = record(p, 'params');
    const q = quality(r['quality']);
    return { image: encodeInput(r['image']), format: oneOf(r['format'], 'format', ENCODE_FORMATS), ...(q === undefined ? {} : { quality: q }) };
  },
};
