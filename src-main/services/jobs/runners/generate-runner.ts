// Generate job: `count` portraits, one engine sample each (image i with seed + i, so each row's recipe makes it
// again on its own). Each image is committed with its thumbnail, its full recipe and the job's list of finished
// generations in one transaction, so a pause or a crash never loses a finished portrait nor makes one twice.
import type { EngineCapabilities, EngineMethods, LoraRef } from '../../../common/protocol/engine.js';
import type { MediaCapabilities, MediaMethods } from '../../../common/protocol/media.js';
import type { Catalog } from '../../catalog/catalog.js';
import { CatalogError } from '../../catalog/catalog-error.js';
import { ATTENTION_MEDIA_TYPE, ATTENTION_RESOLUTION, captureSteps, encodeAttention, summarizeAttention } from '../../library/attention-maps.js';
import type { Library } from '../../library/library.js';
import { makeThumbnail, THUMBNAIL_MEDIA_TYPE } from '../../library/thumbnailer.js';
import { throwIfStopped } from '../job-error.js';
import type { GenerateRequest, JobRunner } from '../job-types.js';
import type { HostAccess } from './host-access.js';
import { modelRef } from './train-runner.js';

/** The blob of a finished run's LoRA (the official layout, which carries both tokens' embeddings). */
export function trainedLoraBlob(catalog: Catalog, trainingRunId: number): string | undefined {
  return catalog.trainingRuns.listOutputs(trainingRunId).find((output) => output.kind === 'lora')?.blob;
}

function loraOf(library: Library, request: GenerateRequest): (LoraRef & { sha256: string }) | undefined {
  if (request.trainingRunId === null) return undefined;
  const blob = trainedLoraBlob(library.catalog, request.trainingRunId);
  if (!blob) {
    throw new CatalogError('conflict', `expected a finished training to generate with, received training run ${request.trainingRunId}, which has no LoRA yet`,
      'Wait for the training to finish (or resume it), then generate again.');
  }
  const { unet, textEncoder } = request.recipe.loraScales;
  return { path: library.filePath(blob), sha256: blob, unetScale: unet, textScale: textEncoder };
}

export function generateRunner(
  library: Library,
  engine: HostAccess<EngineMethods, EngineCapabilities>,
  media: HostAccess<MediaMethods, MediaCapabilities>,
): JobRunner<'generate'> {
  const { catalog } = library;
  return {
    async run(request, context) {
      const { recipe, count } = request;
      const generationIds = [...(context.saved?.generationIds ?? [])];
      const lora = loraOf(library, request);
      const total = count * recipe.steps;
      context.progress({ done: generationIds.length * recipe.steps, total });
      for (let i = generationIds.length; i < count; i++) {
        throwIfStopped(context.signal);
        const seed = recipe.seed + i;
        const sampled = await (await engine.get()).request(
          'engine.sample',
          {
            model: modelRef(request.model),
            ...(lora ? { lora: { path: lora.path, unetScale: lora.unetScale ?? 1, textScale: lora.textScale ?? 1 } } : {}),
            request: {
              prompt: recipe.prompt,
              negativePrompt: recipe.negativePrompt,
              width: recipe.width,
              height: recipe.height,
              steps: recipe.steps,
              guidanceScale: recipe.cfg,
              sampler: recipe.sampler,
              seed,
              // Every cross-attention layer, a few steps per range: the summary averages them (attention-maps.ts).
              ...(request.captureAttention ? { attention: { steps: captureSteps(recipe.steps), resolution: ATTENTION_RESOLUTION } } : {}),
            },
          },
          {
            signal: context.signal,
            onProgress: (p) => context.progress({ done: i * recipe.steps + p.step, total, message: `Portrait ${i + 1} of ${count}: step ${p.step} of ${p.total}` }),
          },
        );
        const png = await (await media.get()).request('media.encode', { image: { tensor: sampled.images, index: 0 }, format: 'png' }, { signal: context.signal });
        const image = Buffer.from(png.data.buffer, png.data.byteOffset, png.data.byteLength);
        const files = [
          { data: image, mediaType: 'image/png' },
          { data: await makeThumbnail(image), mediaType: THUMBNAIL_MEDIA_TYPE },
          ...(sampled.attention ? [{ data: encodeAttention(summarizeAttention(sampled.attention, recipe.steps)), mediaType: ATTENTION_MEDIA_TYPE }] : []),
        ];
        const generation = await library.commitFiles(files, ([imageBlob, thumbnailBlob, attentionMapsBlob]) => {
          const generation = catalog.generations.create({
            projectId: request.projectId,
            trainingRunId: request.trainingRunId,
            imageBlob: imageBlob as string,
            thumbnailBlob: thumbnailBlob as string,
            attentionMapsBlob: attentionMapsBlob ?? null,
            width: png.width,
            height: png.height,
            recipe: {
              baseModelHash: request.model.sha256,
              loraHash: lora?.sha256 ?? null,
              prompt: recipe.prompt,
              negativePrompt: recipe.negativePrompt,
              seed,
              sampler: recipe.sampler,
              steps: recipe.steps,
              cfg: recipe.cfg,
              loraScales: lora ? { ...recipe.loraScales } : {},
            },
          });
          context.save({ generationIds: [...generationIds, generation.id] });
          return generation;
        });
        generationIds.push(generation.id);
      }
      return { generationIds };
    },
  };
}
