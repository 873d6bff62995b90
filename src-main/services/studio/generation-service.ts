// Generating portraits and reviewing them. A request names the prompt and may leave the rest to the method's
// inference defaults (METHOD.md §7: Euler ancestral, 50 steps, CFG 7, LoRA 0.6 UNet / 0.9 text, 512 px); the
// defaults and a fresh seed are filled in here, so the queued job is the complete recipe and runs the same after
// a restart. Without a training run named, the project's newest finished one is used.
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import { CatalogError } from '../catalog/catalog-error.js';
import type { Generation, GenerationQuery } from '../catalog/generations-repository.js';
import type { ReviewChanges } from '../catalog/reviews-repository.js';
import { bool, fields, id, integer, optionalId } from '../catalog/validate.js';
import { checkRecipe } from '../jobs/job-request.js';
import type { JobView } from '../jobs/job-types.js';
import { trainedLoraBlob } from '../jobs/runners/generate-runner.js';
import { type AttentionSummary, decodeAttention } from '../library/attention-maps.js';
import { requireConsent, requireRunner, type StudioContext } from './studio-context.js';
import { StudioError } from './studio-error.js';

export interface GenerateInput {
  prompt: string;
  negativePrompt?: string;
  seed?: number;
  sampler?: 'ddim' | 'euler' | 'euler_a' | 'dpmpp_2m_karras';
  steps?: number;
  cfg?: number;
  width?: number;
  height?: number;
  loraScales?: { unet?: number; textEncoder?: number };
  /** Portraits to make, 1 to 64 (default 4). */
  count?: number;
  /** The training to use; default the newest finished one; null: the base model alone. */
  trainingRunId?: number | null;
  /** Keep each portrait's cross-attention maps for the attention viewer (default off: it slows sampling). */
  captureAttention?: boolean;
}

const KEYS = ['prompt', 'negativePrompt', 'seed', 'sampler', 'steps', 'cfg', 'width', 'height', 'loraScales', 'count', 'trainingRunId', 'captureAttention'];

export class GenerationService {
  constructor(private readonly studio: StudioContext) {}

  async generate(projectId: number, input: GenerateInput, options: { priority?: number } = {}): Promise<JobView> {
    const { catalog, jobs } = this.studio;
    requireRunner(jobs, 'generate');
    const f = fields(input, 'generation request', KEYS);
    const scales = fields(f['loraScales'] ?? {}, 'loraScales', ['unet', 'textEncoder']);
    const recipe = checkRecipe({
      prompt: f['prompt'],
      negativePrompt: f['negativePrompt'] ?? '',
      seed: f['seed'] ?? randomInt(0, 2 ** 32),
      sampler: f['sampler'] ?? 'euler_a',
      steps: f['steps'] ?? 50,
      cfg: f['cfg'] ?? 7,
      width: f['width'] ?? 512,
      height: f['height'] ?? 512,
      loraScales: { unet: scales['unet'] ?? 0.6, textEncoder: scales['textEncoder'] ?? 0.9 },
    });
    const count = f['count'] === undefined ? 4 : integer(f['count'], 'count', 1, 64);
    const project = catalog.projects.get(id(projectId, 'projectId'));
    requireConsent(catalog, project.clientId, 'generation');
    const trainingRunId = f['trainingRunId'] === undefined ? this.newestFinishedRun(projectId) : optionalId(f['trainingRunId'], 'trainingRunId');
    if (trainingRunId !== null && !trainedLoraBlob(catalog, trainingRunId)) {
      throw new StudioError('conflict', `expected a finished training to generate with, received training run ${trainingRunId} (${catalog.trainingRuns.get(trainingRunId).state})`,
        'Wait for the training to finish, or resume it.');
    }
    const captureAttention = f['captureAttention'] === undefined ? false : bool(f['captureAttention'], 'captureAttention');
    const model = await this.studio.baseModel();
    return jobs.enqueue({ kind: 'generate', projectId, trainingRunId, model, recipe, count, ...(captureAttention ? { captureAttention } : {}) }, { priority: options.priority ?? 10 });
  }

  list(query: GenerationQuery = {}): Generation[] {
    return this.studio.catalog.generations.list(query);
  }

  get(generationId: number): Generation {
    return this.studio.catalog.generations.get(generationId);
  }

  /** The portrait's captured attention maps; not_found when it was generated without capture. */
  async attention(generationId: number): Promise<AttentionSummary> {
    const { attentionMapsBlob } = this.get(generationId);
    if (attentionMapsBlob === null) {
      throw new CatalogError('not_found', `expected a portrait generated with attention capture, received portrait ${generationId}, which has no maps`,
        'Generate it again with "Capture attention" on (captureAttention: true).');
    }
    return decodeAttention(await readFile(this.studio.library.filePath(attentionMapsBlob)));
  }

  /** The same verdict on one or several portraits: rating, favourite, rejected, picked by the client. */
  review(generationIds: number | readonly number[], changes: ReviewChanges): Generation[] {
    return this.studio.catalog.reviews.reviewMany(typeof generationIds === 'number' ? [generationIds] : generationIds, changes);
  }

  private newestFinishedRun(projectId: number): number {
    const runs = this.studio.catalog.trainingRuns.listByProject(projectId).filter((run) => run.state === 'done');
    const newest = runs[runs.length - 1];
    if (!newest) {
      throw new StudioError('conflict', `expected a finished training in project ${projectId} to generate with, received none`,
        'Train the project first, or pass trainingRunId: null to sample the base model alone.');
    }
    return newest.id;
  }
}
