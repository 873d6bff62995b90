// Generation, the gallery, reviews and delivery, through the studio's generation and export services.
import { ApiError } from '../../common/api/errors.js';
import type { GenerationMethods, GenerationQuery } from '../../common/api/methods/generations.js';
import type { Studio } from '../../services/studio/studio.js';
import type { HandlerContext, HandlersOf } from './handler-types.js';

const PAGING = ['sort', 'limit', 'offset'];

/** Unknown ids in a filter are an error, not an empty gallery: the caller named something that is not there. */
function checkQueryIds(studio: Studio, query: GenerationQuery): void {
  if (query.projectId !== undefined) studio.catalog.projects.get(query.projectId);
  if (query.clientId !== undefined) studio.catalog.clients.get(query.clientId);
  if (query.trainingRunId !== undefined) studio.catalog.trainingRuns.get(query.trainingRunId);
}

async function reproduce(studio: Studio, generationId: number) {
  const { projectId, trainingRunId, recipe, width, height } = studio.catalog.generations.get(generationId);
  const model = await studio.baseModel();
  if (model.sha256 !== recipe.baseModelHash) {
    throw new ApiError('conflict', `expected the base model portrait ${generationId} was made with (${recipe.baseModelHash.slice(0, 12)}…), received the studio's current model ${model.sha256.slice(0, 12)}… (${model.path})`,
      'Choose that model again in Settings to make the same portrait.');
  }
  const { prompt, negativePrompt, seed, sampler, steps, cfg, loraScales } = recipe;
  const scales = { ...(loraScales['unet'] === undefined ? {} : { unet: loraScales['unet'] }), ...(loraScales['textEncoder'] === undefined ? {} : { textEncoder: loraScales['textEncoder'] }) };
  return studio.generations.generate(projectId, { prompt, negativePrompt, seed, sampler, steps, cfg, width, height, loraScales: scales, count: 1, trainingRunId });
}

export function generationHandlers({ studio }: HandlerContext): HandlersOf<GenerationMethods> {
  return {
    'generations.generate': ({ projectId, recipe, ...rest }) => studio.generations.generate(projectId, { ...recipe, ...rest }),
    'generations.list': (query) => {
      checkQueryIds(studio, query);
      const filter = Object.fromEntries(Object.entries(query).filter(([key]) => !PAGING.includes(key)));
      return { items: studio.generations.list(query), total: studio.catalog.generations.count(filter) };
    },
    'generations.show': ({ generationId }) => studio.generations.get(generationId),
    'generations.review': ({ generationIds, ...changes }) => studio.generations.review(generationIds, changes),
    'generations.attention': async ({ generationId }) => {
      const { maps, ...summary } = await studio.generations.attention(generationId);
      const plane = summary.resolution * summary.resolution;
      // Six digits is finer than the stored byte per cell; it keeps the JSON small.
      const round = (v: number) => Math.round(v * 1e6) / 1e6;
      const tokensOf = (map: Float32Array) => summary.tokens.map((_, t) => Array.from(map.subarray(t * plane, (t + 1) * plane), round));
      return { generationId, ...summary, maps: maps.map((row) => row.map(tokensOf)) };
    },
    'generations.reproduce': ({ generationId }) => reproduce(studio, generationId),
    'exports.create': ({ projectId, ...input }) => studio.exports.export(projectId, input),
    'exports.list': ({ projectId }) => {
      studio.catalog.projects.get(projectId);
      return studio.exports.list(projectId);
    },
  };
}
