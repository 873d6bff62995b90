// The media host's methods: image decode, resize, thumbnails and encode (sharp), plus the face methods
// (media-faces.ts), finishing methods (media-finishing.ts) and the installed ONNX models (media-models.ts). Requests run concurrently; sharp keeps its own
// thread pool, and the host runs one tfjs model call at a time.
import { type FaceMethods, faceParams, type FaceModels } from './media-faces.js';
import { type ExportFormat, type FinishingMethods, finishingParams, type UpscaleFactor } from './media-finishing.js';
import { type ModelMethods, modelParams } from './media-models.js';
import { type ImageSource, imageSource as source, type Pixels, pixels as checkPixels } from './media-source.js';
import type { MethodSpec, ParamValidators } from './messages.js';
import { type Tensor, tensor } from './tensor.js';
import { fail, integer, oneOf, optional, record } from './validate.js';

export * from './media-faces.js';
export * from './media-finishing.js';
export * from './media-models.js';
export * from './media-source.js';

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

/** The sharp image methods (media-host/images.ts). */
export type ImageMethods = {
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

export type MediaMethods = ImageMethods & FaceMethods & FinishingMethods & ModelMethods;

export interface MediaCapabilities {
  sharp: string;
  libvips: string;
  inputFormats: string[];
  outputFormats: EncodeFormat[];
  maxInputPixels: number;
  /** The embedded face models (no download); ONNX models the photographer installs will be listed here too. */
  faceModels: FaceModels;
  upscaleFactors: UpscaleFactor[];
  exportFormats: ExportFormat[];
}

// ---- validators ----

function side(value: unknown, path: string): number {
  return integer(value, path, ...MEDIA_LIMITS.side);
}

function encodeInput(value: unknown): EncodeInput {
  const i = record(value, 'image');
  if (i['pixels'] !== undefined) return { pixels: checkPixels(i['pixels'], 'image.pixels') };
  const t = tensor(i['tensor'], 'image.tensor');
  const index = optional(i['index'], (v) => integer(v, 'image.index', 0, 1 << 16));
  return { tensor: t, ...(index === undefined ? {} : { index }) };
}

function quality(value: unknown): number | undefined {
  return optional(value, (v) => integer(v, 'quality', ...MEDIA_LIMITS.quality));
}

export const mediaParams: ParamValidators<MediaMethods> = {
  ...faceParams,
  ...finishingParams,
  ...modelParams,
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
