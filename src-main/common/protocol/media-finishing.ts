// Finishing methods of the media host: super-resolution, and the deliverable itself (upscale, resize to the final
// long edge, sRGB with an embedded profile, metadata, encode) rendered to bytes or written to the photographer's
// folder. Each result lists the steps taken, with the model and settings of each, for the recipe.
import type { MethodSpec, ParamValidators } from './messages.js';
import { type ImageSource, imageSource, SIDE_LIMITS } from './media-source.js';
import { fail, integer, list, oneOf, optional, record, text } from './validate.js';

export type ExportFormat = 'jpeg' | 'png' | 'tiff' | 'webp';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['jpeg', 'png', 'tiff', 'webp'];
export const EXPORT_EXTENSIONS: Readonly<Record<ExportFormat, string>> = { jpeg: 'jpg', png: 'png', tiff: 'tif', webp: 'webp' };

export type UpscaleFactor = 2 | 4;
export const UPSCALE_FACTORS: readonly UpscaleFactor[] = [2, 4];
/** auto: super-resolve only when the image is smaller than the final long edge, by the smallest factor that reaches it. */
export type UpscaleChoice = 'auto' | 'off' | UpscaleFactor;

export interface ExportMetadata {
  title?: string;
  /** Free text shown as the caption (XMP dc:description, EXIF ImageDescription). */
  description?: string;
  creator?: string;
  copyright?: string;
  /** The person portrayed (XMP Iptc4xmpExt:PersonInImage). */
  client?: string;
  /** The generation recipe as JSON text, kept whole in XMP (magicapture:Recipe). */
  recipe?: string;
}

export interface RenderOptions {
  format: ExportFormat;
  /** JPEG and WebP, 1 to 100; default 92. */
  quality?: number;
  /** PNG and TIFF; default 16 for TIFF (retouching without banding), 8 for PNG. */
  bitDepth?: 8 | 16;
  /** The deliverable's longer side; default 2048. */
  longEdge?: number;
  upscale?: UpscaleChoice;
  metadata?: ExportMetadata;
}

export type FinishingStep =
  | { step: 'decode'; width: number; height: number; orientation: number; profile: 'embedded' | 'assumed sRGB' }
  | { step: 'upscale'; model: string; scale: UpscaleFactor; tileSize: number; margin: number; tiles: number; width: number; height: number; ms: number }
  | { step: 'resize'; kernel: 'lanczos3'; width: number; height: number }
  | { step: 'colour'; profile: 'sRGB' }
  | { step: 'encode'; format: ExportFormat; quality?: number; bitDepth: 8 | 16 }
  | { step: 'metadata'; xmp: string[]; exif: string[] }
  | { step: 'write'; path: string; bytes: number; sha256: string };

export interface RenderedImage {
  data: Uint8Array;
  format: ExportFormat;
  width: number;
  height: number;
  steps: FinishingStep[];
}

export interface ExportItem {
  source: ImageSource;
  /** Merged over the batch's metadata, field by field. */
  metadata?: ExportMetadata;
}

export interface ExportedFile {
  index: number;
  /** Absolute path of the finished file; it never replaced an existing one. */
  path: string;
  format: ExportFormat;
  width: number;
  height: number;
  bytes: number;
  sha256: string;
  steps: FinishingStep[];
}

export interface UpscaledImage {
  /** PNG. */
  data: Uint8Array;
  width: number;
  height: number;
  step: Extract<FinishingStep, { step: 'upscale' }>;
}

export type FinishingMethods = {
  /** tileSize: input pixels per tile side (default 128); tiles overlap so no seam shows. */
  'finishing.upscale': MethodSpec<{ source: ImageSource; scale: UpscaleFactor; tileSize?: number }, UpscaledImage>;
  /** One deliverable as bytes, for a caller that stores it itself. */
  'finishing.render': MethodSpec<{ source: ImageSource; options: RenderOptions }, RenderedImage>;
  /**
   * Deliverables written into destination (an absolute folder) under names from the fileName template
   * ({client}, {title}, {date}, {n}; "/" makes subfolders inside destination). Existing files are never replaced:
   * a taken name gets "-2", "-3", ... Each file appears whole or not at all.
   */
  'finishing.export': MethodSpec<
    { items: ExportItem[]; destination: string; fileName: string; options: RenderOptions },
    { files: ExportedFile[] },
    { done: number; total: number; path: string }
  >;
};

export const FINISHING_LIMITS = {
  tileSize: [32, 1024],
  longEdge: [256, SIDE_LIMITS[1]],
  quality: [1, 100],
  items: [1, 1000],
  metadataText: 2000,
  /** A JPEG XMP segment holds under 64 KB: the recipe must fit with the other fields. */
  recipeText: 32_000,
  template: 200,
} as const;

// ---- validators ----

function boundedText(value: unknown, path: string, max: number): string {
  const s = text(value, path);
  if (s.length > max) fail(path, `at most ${max} characters`, s);
  return s;
}

const METADATA_FIELDS = ['title', 'description', 'creator', 'copyright', 'client', 'recipe'] as const;

function metadata(value: unknown, path: string): ExportMetadata {
  const m = record(value, path);
  const out: ExportMetadata = {};
  for (const key of Object.keys(m)) {
    if (!(METADATA_FIELDS as readonly string[]).includes(key)) fail(`${path}.${key}`, `one of the fields ${METADATA_FIELDS.join(', ')}`, key);
  }
  for (const key of METADATA_FIELDS) {
    const max = key === 'recipe' ? FINISHING_LIMITS.recipeText : FINISHING_LIMITS.metadataText;
    const v = optional(m[key], (x) => boundedText(x, `${path}.${key}`, max));
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function upscaleChoice(value: unknown): UpscaleChoice {
  if (value === 2 || value === 4 || value === 'auto' || value === 'off') return value;
  return fail('options.upscale', 'auto, off, 2 or 4', value);
}

function renderOptions(value: unknown): RenderOptions {
  const o = record(value, 'options');
  const format = oneOf(o['format'], 'options.format', EXPORT_FORMATS);
  const quality = optional(o['quality'], (v) => integer(v, 'options.quality', ...FINISHING_LIMITS.quality));
  const bitDepth = optional(o['bitDepth'], (v) => integer(v, 'options.bitDepth', 8, 16));
  if (bitDepth !== undefined && bitDepth !== 8 && bitDepth !== 16) fail('options.bitDepth', '8 or 16', bitDepth);
  if (bitDepth === 16 && (format === 'jpeg' || format === 'webp')) fail('options.bitDepth', `8 for ${format} (16 needs PNG or TIFF)`, bitDepth);
  const longEdge = optional(o['longEdge'], (v) => integer(v, 'options.longEdge', ...FINISHING_LIMITS.longEdge));
  const upscale = optional(o['upscale'], upscaleChoice);
  const meta = optional(o['metadata'], (v) => metadata(v, 'options.metadata'));
  return {
    format,
    ...(quality === undefined ? {} : { quality }),
    ...(bitDepth === undefined ? {} : { bitDepth: bitDepth as 8 | 16 }),
    ...(longEdge === undefined ? {} : { longEdge }),
    ...(upscale === undefined ? {} : { upscale }),
    ...(meta === undefined ? {} : { metadata: meta }),
  };
}

function exportItem(value: unknown, path: string): ExportItem {
  const i = record(value, path);
  const meta = optional(i['metadata'], (v) => metadata(v, `${path}.metadata`));
  return { source: imageSource(i['source'], `${path}.source`), ...(meta === undefined ? {} : { metadata: meta }) };
}

export const finishingParams: ParamValidators<FinishingMethods> = {
  'finishing.upscale': (p) => {
    const r = record(p, 'params');
    const scale = integer(r['scale'], 'scale', 2, 4);
    if (scale !== 2 && scale !== 4) fail('scale', '2 or 4', scale);
    const tileSize = optional(r['tileSize'], (v) => integer(v, 'tileSize', ...FINISHING_LIMITS.tileSize));
    return { source: imageSource(r['source']), scale, ...(tileSize === undefined ? {} : { tileSize }) };
  },
  'finishing.render': (p) => {
    const r = record(p, 'params');
    return { source: imageSource(r['source']), options: renderOptions(r['options']) };
  },
  'finishing.export': (p) => {
    const r = record(p, 'params');
    return {
      items: list(r['items'], 'items', ...FINISHING_LIMITS.items, exportItem),
      destination: boundedText(r['destination'], 'destination', 4096),
      fileName: boundedText(r['fileName'], 'fileName', FINISHING_LIMITS.template),
      options: renderOptions(r['options']),
    };
  },
};
