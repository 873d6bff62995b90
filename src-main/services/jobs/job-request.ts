// Run-time checks of a job request (requests arrive as untyped JSON over IPC, HTTP and the CLI), and the client a
// request belongs to: the job row references that client, so deleting the client deletes its jobs too.
import { isAbsolute } from 'node:path';

import { LIMITS, SAMPLERS } from '../../../native/lib/sample-request.js';
import { DTYPES } from '../../common/protocol/engine.js';
import type { Catalog } from '../catalog/catalog.js';
import { CatalogError } from '../catalog/catalog-error.js';
import { JOB_KINDS } from '../catalog/jobs-repository.js';
import { PHOTO_ROLES } from '../catalog/photos-repository.js';
import { bool, fields, id, integer, invalid, number, oneOf, optionalId, text } from '../catalog/validate.js';
import { templateProblem } from '../../common/api/file-name-template.js';
import type { BaseModel, ExportRequest, GenerateRecipe, JobRequest } from './job-types.js';

const MAX_FILES = 1000;
const MAX_IMAGES_PER_JOB = 64;
const HASH = { max: 64, pattern: /^[0-9a-f]{8,64}$/, patternText: 'a hash of 8 to 64 lowercase hex digits' };

export function absolutePath(value: unknown, field: string): string {
  const path = text(value, field, { max: 4096 });
  if (!isAbsolute(path) || path.includes('\0')) throw invalid(field, 'an absolute path', value);
  return path;
}

function list<T>(value: unknown, field: string, max: number, item: (v: unknown, f: string) => T): T[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > max) throw invalid(field, `a list of 1 to ${max} items`, value);
  return value.map((v, i) => item(v, `${field}[${i}]`));
}

function baseModel(value: unknown): BaseModel {
  const f = fields(value, 'model', ['path', 'sha256', 'tokenizerDir', 'device', 'dtype']);
  return {
    path: absolutePath(f['path'], 'model.path'),
    sha256: text(f['sha256'], 'model.sha256', HASH),
    ...(f['tokenizerDir'] === undefined ? {} : { tokenizerDir: absolutePath(f['tokenizerDir'], 'model.tokenizerDir') }),
    ...(f['device'] === undefined ? {} : { device: text(f['device'], 'model.device', { max: 20, pattern: /^(cpu|cuda(:\d+)?)$/, patternText: 'cpu or cuda:N' }) }),
    ...(f['dtype'] === undefined ? {} : { dtype: oneOf(f['dtype'], 'model.dtype', DTYPES) }),
  };
}

export function checkRecipe(value: unknown): GenerateRecipe {
  const f = fields(value, 'recipe', ['prompt', 'negativePrompt', 'seed', 'sampler', 'steps', 'cfg', 'width', 'height', 'loraScales']);
  const scales = fields(f['loraScales'], 'recipe.loraScales', ['unet', 'textEncoder']);
  const side = (v: unknown, field: string) => {
    const n = integer(v, field, ...LIMITS.side);
    if (n % 8 !== 0) throw invalid(field, 'a multiple of 8', v);
    return n;
  };
  return {
    prompt: text(f['prompt'], 'prompt', { max: LIMITS.promptChars }),
    negativePrompt: text(f['negativePrompt'], 'negativePrompt', { min: 0, max: LIMITS.promptChars }),
    seed: integer(f['seed'], 'seed', 0, Number.MAX_SAFE_INTEGER - MAX_IMAGES_PER_JOB),
    sampler: oneOf(f['sampler'], 'sampler', SAMPLERS),
    steps: integer(f['steps'], 'steps', ...LIMITS.steps),
    cfg: number(f['cfg'], 'cfg', ...LIMITS.guidanceScale),
    width: side(f['width'], 'width'),
    height: side(f['height'], 'height'),
    loraScales: { unet: number(scales['unet'], 'loraScales.unet', -4, 4), textEncoder: number(scales['textEncoder'], 'loraScales.textEncoder', -4, 4) },
  };
}

/** The request as the queue stores it, or an `invalid` CatalogError saying which field is wrong and how. */
export function checkJobRequest(value: unknown): JobRequest {
  const kind = oneOf((value as { kind?: unknown } | null)?.kind, 'kind', JOB_KINDS);
  switch (kind) {
    case 'import': {
      const f = fields(value, 'import job', ['kind', 'projectId', 'role', 'paths']);
      const paths = list(f['paths'], 'paths', MAX_FILES, absolutePath);
      if (new Set(paths).size !== paths.length) throw invalid('paths', 'a list without repeats', paths);
      return { kind, projectId: id(f['projectId'], 'projectId'), role: oneOf(f['role'], 'role', PHOTO_ROLES), paths };
    }
    case 'masks': {
      const f = fields(value, 'masks job', ['kind', 'photoId', 'maskPath']);
      const maskPath = f['maskPath'] === undefined || f['maskPath'] === null ? null : absolutePath(f['maskPath'], 'maskPath');
      return { kind, photoId: id(f['photoId'], 'photoId'), maskPath };
    }
    case 'train': {
      const f = fields(value, 'train job', ['kind', 'trainingRunId']);
      return { kind, trainingRunId: id(f['trainingRunId'], 'trainingRunId') };
    }
    case 'generate': {
      const f = fields(value, 'generate job', ['kind', 'projectId', 'trainingRunId', 'model', 'recipe', 'count', 'captureAttention']);
      return {
        kind,
        projectId: id(f['projectId'], 'projectId'),
        trainingRunId: optionalId(f['trainingRunId'], 'trainingRunId'),
        model: baseModel(f['model']),
        recipe: checkRecipe(f['recipe']),
        count: integer(f['count'], 'count', 1, MAX_IMAGES_PER_JOB),
        ...(f['captureAttention'] === undefined ? {} : { captureAttention: bool(f['captureAttention'], 'captureAttention') }),
      };
    }
    case 'postprocess': {
      const f = fields(value, 'postprocess job', ['kind', 'generationId', 'operation']);
      return { kind, generationId: id(f['generationId'], 'generationId'), operation: oneOf(f['operation'], 'operation', ['restore', 'upscale'] as const) };
    }
    case 'export': {
      const f = fields(value, 'export job', ['kind', 'projectId', 'generationIds', 'format', 'quality', 'destination', 'fileName', 'longEdge', 'upscale']);
      const ids = list(f['generationIds'], 'generationIds', 500, id);
      if (new Set(ids).size !== ids.length) throw invalid('generationIds', 'a list without repeats', ids);
      return {
        kind,
        projectId: id(f['projectId'], 'projectId'),
        generationIds: ids,
        format: oneOf(f['format'], 'format', ['png', 'jpeg'] as const),
        quality: f['quality'] === undefined || f['quality'] === null ? null : integer(f['quality'], 'quality', 1, 100),
        destination: absolutePath(f['destination'], 'destination'),
        ...finishing(f),
      };
    }
  }
}

function finishing(f: Record<string, unknown>): Pick<ExportRequest, 'fileName' | 'longEdge' | 'upscale'> {
  const out: Pick<ExportRequest, 'fileName' | 'longEdge' | 'upscale'> = {};
  if (f['fileName'] !== undefined) {
    const template = text(f['fileName'], 'fileName', { max: 200 });
    const problem = templateProblem(template);
    if (problem) throw new CatalogError('invalid', problem);
    out.fileName = template;
  }
  if (f['longEdge'] !== undefined) out.longEdge = integer(f['longEdge'], 'longEdge', 256, 8192);
  if (f['upscale'] !== undefined) {
    const upscale = f['upscale'];
    if (upscale !== 'auto' && upscale !== 'off' && upscale !== 2 && upscale !== 4) throw invalid('upscale', 'one of auto, off, 2, 4', upscale);
    out.upscale = upscale;
  }
  return out;
}

/** The client whose work the request is; throws not_found for ids that do not exist or do not belong together. */
export function clientOfRequest(catalog: Catalog, request: JobRequest): number {
  const ofProject = (projectId: number) => catalog.projects.get(projectId).clientId;
  switch (request.kind) {
    case 'import':
      return ofProject(request.projectId);
    case 'masks':
      return ofProject(catalog.photos.get(request.photoId).projectId);
    case 'train':
      return ofProject(catalog.trainingRuns.get(request.trainingRunId).projectId);
    case 'generate': {
      if (request.trainingRunId !== null && catalog.trainingRuns.get(request.trainingRunId).projectId !== request.projectId) {
        throw new CatalogError('not_found', `training run ${request.trainingRunId} is not a training of project ${request.projectId}`);
      }
      return ofProject(request.projectId);
    }
    case 'postprocess':
      return ofProject(catalog.generations.get(request.generationId).projectId);
    case 'export': {
      for (const generationId of request.generationIds) {
        if (catalog.generations.get(generationId).projectId !== request.projectId) {
          throw new CatalogError('not_found', `generation ${generationId} is not a portrait of project ${request.projectId}`);
        }
      }
      return ofProject(request.projectId);
    }
  }
}

/** The stored payload is the request without its kind (the kind has its own column). */
export function payloadOf(request: JobRequest): Record<string, unknown> {
  const payload: Record<string, unknown> = { ...request };
  delete payload['kind'];
  return payload;
}
