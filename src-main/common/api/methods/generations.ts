// Generating portraits from a project's training, the gallery (filter, sort, review) and delivery (export).
import { absolutePath, bool, fail, refuse, id, ids, integer, number, object, optional, optionalOneOf, params, set, text } from '../check.js';
import { templateProblem } from '../file-name-template.js';
import { MAX_BATCH } from '../limits.js';
import { type AttentionMaps, DELIVERY_FORMATS, SAMPLERS, type DeliveryFormat, type Export, type Generation, type Job, type Sampler } from '../types.js';
import { byId, type MethodRules } from './rules.js';

export interface RecipeParams {
  prompt: string;
  negativePrompt?: string;
  /** Image i of a batch uses seed + i. Default: a random seed, recorded in every portrait's recipe. The other
   *  defaults are the method's (METHOD.md §7): euler_a, 50 steps, CFG 7, 512 px, LoRA 0.6 UNet / 0.9 text. */
  seed?: number;
  sampler?: Sampler;
  steps?: number;
  cfg?: number;
  width?: number;
  height?: number;
  loraScales?: { unet?: number; textEncoder?: number };
}

export interface GenerateParams {
  projectId: number;
  /** The training to use; absent: the project's latest finished run; null: the base model alone. */
  trainingRunId?: number | null;
  recipe: RecipeParams;
  /** Portraits in this batch, 1 to 64 (default 4). */
  count?: number;
  /** Keep each portrait's cross-attention maps for generations.attention (default false; sampling is slower). */
  captureAttention?: boolean;
}

export const GENERATION_SORTS = ['newest', 'oldest', 'rating'] as const;
export type GenerationSort = (typeof GENERATION_SORTS)[number];

export interface GenerationQuery {
  projectId?: number;
  clientId?: number;
  trainingRunId?: number;
  favourite?: boolean;
  rejected?: boolean;
  picked?: boolean;
  minRating?: number;
  sort?: GenerationSort;
  /** 1 to 500, default 100. */
  limit?: number;
  offset?: number;
}

export interface ReviewParams {
  generationIds: number[];
  /** 1 to 5 stars; null clears. */
  rating?: number | null;
  favourite?: boolean;
  rejected?: boolean;
  /** The client's pick in proofing. */
  picked?: boolean;
}

export interface ExportParams {
  projectId: number;
  /** Default: every portrait of the project the client picked. */
  generationIds?: number[];
  /** Default jpeg. */
  format?: DeliveryFormat;
  /** JPEG quality 1 to 100 (default 92). */
  quality?: number;
  /** Absolute folder on the studio's machine (created when missing). */
  destination: string;
  /** File names: {client} {title} (the project) {date} {n}; "/" makes subfolders. Default "<project>-<portrait id>". */
  fileName?: string;
  /** The deliverable's longer side in pixels, 256 to 8192 (default: the portrait's own size). */
  longEdge?: number;
  /** Super-resolution before the resize: auto (only when smaller than longEdge), off, 2 or 4 (default off). */
  upscale?: ExportUpscale;
}

export const EXPORT_UPSCALES = ['auto', 'off', 2, 4] as const;
export type ExportUpscale = (typeof EXPORT_UPSCALES)[number];

export interface GenerationMethods {
  /** Queues the batch; the portraits appear as the job makes them (job-state and catalog-changed events). */
  'generations.generate': { params: GenerateParams; result: Job };
  'generations.list': { params: GenerationQuery; result: { items: Generation[]; total: number } };
  'generations.show': { params: { generationId: number }; result: Generation };
  'generations.review': { params: ReviewParams; result: Generation[] };
  /** The maps captured with the portrait (captureAttention); not_found when it has none. */
  'generations.attention': { params: { generationId: number }; result: AttentionMaps };
  /** Queues the portrait's exact recipe again (same seed, sampler, steps, training); refused when the base model changed since. */
  'generations.reproduce': { params: { generationId: number }; result: Job };
  'exports.create': { params: ExportParams; result: Job };
  'exports.list': { params: { projectId: number }; result: Export[] };
}

const RECIPE = ['prompt', 'negativePrompt', 'seed', 'sampler', 'steps', 'cfg', 'width', 'height', 'loraScales'];

function side(value: unknown, path: string): number {
  const n = integer(value, path, 64, 2048);
  if (n % 8 !== 0) fail(path, 'a multiple of 8 from 64 to 2048', value);
  return n;
}

function recipe(value: unknown): RecipeParams {
  const f = object(value, 'recipe', RECIPE);
  const out: RecipeParams = { prompt: text(f['prompt'], 'recipe.prompt', 10_000) };
  set(out, 'negativePrompt', optional(f['negativePrompt'], (v) => text(v, 'recipe.negativePrompt', 10_000, 0)));
  set(out, 'seed', optional(f['seed'], (v) => integer(v, 'recipe.seed', 0, Number.MAX_SAFE_INTEGER - 64)));
  set(out, 'sampler', optionalOneOf(f['sampler'], 'recipe.sampler', SAMPLERS));
  set(out, 'steps', optional(f['steps'], (v) => integer(v, 'recipe.steps', 1, 150)));
  set(out, 'cfg', optional(f['cfg'], (v) => number(v, 'recipe.cfg', 0, 30)));
  set(out, 'width', optional(f['width'], (v) => side(v, 'recipe.width')));
  set(out, 'height', optional(f['height'], (v) => side(v, 'recipe.height')));
  set(out, 'loraScales', optional(f['loraScales'], (v) => {
    const s = object(v, 'recipe.loraScales', ['unet', 'textEncoder']);
    const scales: { unet?: number; textEncoder?: number } = {};
    set(scales, 'unet', optional(s['unet'], (x) => number(x, 'recipe.loraScales.unet', -4, 4)));
    set(scales, 'textEncoder', optional(s['textEncoder'], (x) => number(x, 'recipe.loraScales.textEncoder', -4, 4)));
    return scales;
  }));
  return out;
}

const QUERY = ['projectId', 'clientId', 'trainingRunId', 'favourite', 'rejected', 'picked', 'minRating', 'sort', 'limit', 'offset'] as const;

export const GENERATION_RULES: { [M in keyof GenerationMethods]: MethodRules<GenerationMethods[M]['params']> } = {
  'generations.generate': {
    changes: 'jobs',
    check: (value) => {
      const f = params(value, 'generations.generate', ['projectId', 'trainingRunId', 'recipe', 'count', 'captureAttention']);
      const out: GenerateParams = { projectId: id(f['projectId'], 'projectId'), recipe: recipe(f['recipe']) };
      if (f['trainingRunId'] !== undefined) out.trainingRunId = f['trainingRunId'] === null ? null : id(f['trainingRunId'], 'trainingRunId');
      set(out, 'count', optional(f['count'], (v) => integer(v, 'count', 1, 64)));
      set(out, 'captureAttention', optional(f['captureAttention'], (v) => bool(v, 'captureAttention')));
      return out;
    },
  },
  'generations.list': {
    check: (value) => {
      const f = params(value, 'generations.list', QUERY);
      const out: GenerationQuery = {};
      for (const key of ['projectId', 'clientId', 'trainingRunId'] as const) set(out, key, optional(f[key], (v) => id(v, key)));
      for (const key of ['favourite', 'rejected', 'picked'] as const) set(out, key, optional(f[key], (v) => bool(v, key)));
      set(out, 'minRating', optional(f['minRating'], (v) => integer(v, 'minRating', 1, 5)));
      set(out, 'sort', optionalOneOf(f['sort'], 'sort', GENERATION_SORTS));
      set(out, 'limit', optional(f['limit'], (v) => integer(v, 'limit', 1, 500)));
      set(out, 'offset', optional(f['offset'], (v) => integer(v, 'offset', 0, Number.MAX_SAFE_INTEGER)));
      return out;
    },
  },
  'generations.show': byId('generations.show', 'generationId'),
  'generations.review': {
    changes: 'generations',
    check: (value) => {
      const f = params(value, 'generations.review', ['generationIds', 'rating', 'favourite', 'rejected', 'picked']);
      const out: ReviewParams = { generationIds: ids(f['generationIds'], 'generationIds', MAX_BATCH) };
      if (f['rating'] !== undefined) out.rating = f['rating'] === null ? null : integer(f['rating'], 'rating', 1, 5);
      for (const key of ['favourite', 'rejected', 'picked'] as const) set(out, key, optional(f[key], (v) => bool(v, key)));
      if (Object.keys(out).length === 1) refuse('expected at least one of rating, favourite, rejected, picked in the review, received none');
      return out;
    },
  },
  'generations.attention': byId('generations.attention', 'generationId'),
  'generations.reproduce': byId('generations.reproduce', 'generationId', 'jobs'),
  'exports.create': {
    changes: 'jobs',
    check: (value) => {
      const f = params(value, 'exports.create', ['projectId', 'generationIds', 'format', 'quality', 'destination', 'fileName', 'longEdge', 'upscale']);
      const out: ExportParams = { projectId: id(f['projectId'], 'projectId'), destination: absolutePath(f['destination'], 'destination') };
      set(out, 'generationIds', optional(f['generationIds'], (v) => ids(v, 'generationIds', MAX_BATCH)));
      set(out, 'format', optionalOneOf(f['format'], 'format', DELIVERY_FORMATS));
      set(out, 'quality', optional(f['quality'], (v) => integer(v, 'quality', 1, 100)));
      if (out.quality !== undefined && out.format === 'png') refuse(`expected quality with format jpeg only, received quality ${out.quality} with png`);
      set(out, 'fileName', optional(f['fileName'], (v) => {
        const template = text(v, 'fileName', 200);
        const problem = templateProblem(template);
        if (problem) refuse(problem);
        return template;
      }));
      set(out, 'longEdge', optional(f['longEdge'], (v) => integer(v, 'longEdge', 256, 8192)));
      set(out, 'upscale', optional(f['upscale'], (v) => {
        if (!(EXPORT_UPSCALES as readonly unknown[]).includes(v)) fail('upscale', 'one of auto, off, 2, 4', v);
        return v as ExportUpscale;
      }));
      return out;
    },
  },
  'exports.list': byId('exports.list', 'projectId'),
};
