// Generated portraits with the full recipe (enough to make the same image again on the same device) and the
// verdicts given to them (rating, favourite, rejected, picked by the client in proofing; see
// reviews-repository.ts). Gallery queries are built from fixed SQL fragments and each shape is prepared once.
import type BetterSqlite3 from 'better-sqlite3';

import { LIMITS, SAMPLERS, type SamplerName } from '../../../native/lib/sample-request.js';
import { CatalogError, guarded, notFound } from './catalog-error.js';
import {
  bool,
  fields,
  id as checkId,
  integer,
  invalid,
  json,
  number,
  oneOf,
  optionalId,
  optionalSha256,
  optionalText,
  sha256,
  text,
  timestamp,
} from './validate.js';

export interface Review {
  rating: number | null;
  favourite: boolean;
  rejected: boolean;
  picked: boolean;
  reviewedAt: number | null;
}

export interface Recipe {
  baseModelHash: string;
  loraHash: string | null;
  prompt: string;
  negativePrompt: string;
  seed: number;
  sampler: SamplerName;
  steps: number;
  cfg: number;
  /** Strength of each LoRA part, e.g. { unet: 1, textEncoder: 0.8 }. */
  loraScales: Record<string, number>;
}

export interface Generation {
  id: number;
  projectId: number;
  trainingRunId: number | null;
  imageBlob: string;
  thumbnailBlob: string | null;
  attentionMapsBlob: string | null;
  width: number;
  height: number;
  recipe: Recipe;
  review: Review;
  createdAt: number;
}

export interface NewGeneration {
  projectId: number;
  trainingRunId?: number | null;
  imageBlob: string;
  thumbnailBlob?: string | null;
  attentionMapsBlob?: string | null;
  width: number;
  height: number;
  recipe: Omit<Recipe, 'loraHash' | 'negativePrompt' | 'loraScales'> & Partial<Pick<Recipe, 'loraHash' | 'negativePrompt' | 'loraScales'>>;
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

export interface GenerationRow {
  id: number;
  project_id: number;
  training_run_id: number | null;
  image_blob: string;
  thumbnail_blob: string | null;
  attention_maps_blob: string | null;
  width: number;
  height: number;
  base_model_hash: string;
  lora_hash: string | null;
  prompt: string;
  negative_prompt: string;
  seed: number;
  sampler: SamplerName;
  steps: number;
  cfg: number;
  lora_scales: string;
  rating: number | null;
  favourite: number;
  rejected: number;
  picked: number;
  reviewed_at: number | null;
  created_at: number;
}

const MODEL_HASH = { max: 64, pattern: /^[0-9a-f]{8,64}$/, patternText: 'a model hash of 8 to 64 lowercase hex digits' };
const ORDER: Record<GenerationSort, string> = {
  newest: 'created_at DESC, id DESC',
  oldest: 'created_at, id',
  rating: 'rating DESC NULLS LAST, created_at DESC, id DESC',
};

export function toGeneration(row: GenerationRow): Generation {
  return {
    id: row.id,
    projectId: row.project_id,
    trainingRunId: row.training_run_id,
    imageBlob: row.image_blob,
    thumbnailBlob: row.thumbnail_blob,
    attentionMapsBlob: row.attention_maps_blob,
    width: row.width,
    height: row.height,
    recipe: {
      baseModelHash: row.base_model_hash,
      loraHash: row.lora_hash,
      prompt: row.prompt,
      negativePrompt: row.negative_prompt,
      seed: row.seed,
      sampler: row.sampler,
      steps: row.steps,
      cfg: row.cfg,
      loraScales: JSON.parse(row.lora_scales) as Record<string, number>,
    },
    review: { rating: row.rating, favourite: row.favourite === 1, rejected: row.rejected === 1, picked: row.picked === 1, reviewedAt: row.reviewed_at },
    createdAt: row.created_at,
  };
}

function checkLoraScales(value: unknown): Record<string, number> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('loraScales', 'an object like { unet: 1 }', value);
  for (const [part, scale] of Object.entries(value)) number(scale, `loraScales.${part}`, -4, 4);
  return value as Record<string, number>;
}

function checkRecipe(value: unknown): unknown[] {
  const r = fields(value, 'recipe', ['baseModelHash', 'loraHash', 'prompt', 'negativePrompt', 'seed', 'sampler', 'steps', 'cfg', 'loraScales']);
  return [
    text(r['baseModelHash'], 'baseModelHash', MODEL_HASH),
    optionalText(r['loraHash'], 'loraHash', MODEL_HASH),
    text(r['prompt'], 'prompt', { max: LIMITS.promptChars }),
    r['negativePrompt'] === undefined ? '' : text(r['negativePrompt'], 'negativePrompt', { min: 0, max: LIMITS.promptChars }),
    integer(r['seed'], 'seed', 0, Number.MAX_SAFE_INTEGER),
    oneOf(r['sampler'], 'sampler', SAMPLERS),
    integer(r['steps'], 'steps', ...LIMITS.steps),
    number(r['cfg'], 'cfg', ...LIMITS.guidanceScale),
    json(checkLoraScales(r['loraScales']), 'loraScales'),
  ];
}

export class GenerationsRepository {
  private readonly insertRow;
  private readonly selectOne;
  private readonly deleteRow;
  private readonly projectExists;
  private readonly runInProject;
  private readonly queries = new Map<string, BetterSqlite3.Statement<unknown[], unknown>>();

  constructor(private readonly db: BetterSqlite3.Database) {
    this.insertRow = db.prepare<unknown[], GenerationRow>(
      `INSERT INTO generations (project_id, training_run_id, image_blob, thumbnail_blob, attention_maps_blob, width, height,
         base_model_hash, lora_hash, prompt, negative_prompt, seed, sampler, steps, cfg, lora_scales, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    );
    this.selectOne = db.prepare<[number], GenerationRow>('SELECT * FROM generations WHERE id = ?');
    this.deleteRow = db.prepare<[number]>('DELETE FROM generations WHERE id = ?');
    this.projectExists = db.prepare<[number], number>('SELECT 1 FROM projects WHERE id = ?').pluck();
    this.runInProject = db.prepare<[number, number], number>('SELECT 1 FROM training_runs WHERE id = ? AND project_id = ?').pluck();
  }

  /** Adds every generation or none (a batch of images from one sampling call is one transaction). */
  createMany(inputs: readonly NewGeneration[], createdAt = Date.now()): Generation[] {
    timestamp(createdAt, 'createdAt');
    const rows = inputs.map((input) => {
      const f = fields(input, 'new generation', ['projectId', 'trainingRunId', 'imageBlob', 'thumbnailBlob', 'attentionMapsBlob', 'width', 'height', 'recipe']);
      return [
        checkId(f['projectId'], 'projectId'),
        optionalId(f['trainingRunId'], 'trainingRunId'),
        sha256(f['imageBlob'], 'imageBlob'),
        optionalSha256(f['thumbnailBlob'], 'thumbnailBlob'),
        optionalSha256(f['attentionMapsBlob'], 'attentionMapsBlob'),
        integer(f['width'], 'width', 1, 65_535),
        integer(f['height'], 'height', 1, 65_535),
        ...checkRecipe(f['recipe']),
      ];
    });
    return this.db.transaction(() =>
      rows.map((row) => {
        const [projectId, runId] = row as [number, number | null];
        if (!this.projectExists.get(projectId)) throw notFound('project', projectId);
        if (runId !== null && !this.runInProject.get(runId, projectId)) {
          throw new CatalogError('not_found', `training run ${runId} does not exist in project ${projectId}`);
        }
        return toGeneration(guarded('add generation', () => this.insertRow.get(...row, createdAt) as GenerationRow));
      }),
    )();
  }

  create(input: NewGeneration): Generation {
    return this.createMany([input])[0] as Generation;
  }

  get(id: number): Generation {
    const row = this.selectOne.get(checkId(id, 'generation id'));
    if (!row) throw notFound('generation', id);
    return toGeneration(row);
  }

  /** The gallery: filter by project/client/run and verdicts, sorted, one page at a time. */
  list(query: GenerationQuery = {}): Generation[] {
    const { where, values, sort, limit, offset } = this.checkQuery(query);
    const sql = `SELECT * FROM generations${where} ORDER BY ${ORDER[sort]} LIMIT ? OFFSET ?`;
    return (this.statement(sql).all(...values, limit, offset) as GenerationRow[]).map(toGeneration);
  }

  count(query: Omit<GenerationQuery, 'sort' | 'limit' | 'offset'> = {}): number {
    const { where, values } = this.checkQuery(query);
    return this.statement(`SELECT count(*) AS n FROM generations${where}`).pluck().get(...values) as number;
  }

  /** Removes the row; its files stay until nothing uses them (doctor repair). */
  delete(id: number): void {
    if (this.deleteRow.run(checkId(id, 'generation id')).changes === 0) throw notFound('generation', id);
  }

  private statement(sql: string): BetterSqlite3.Statement<unknown[], unknown> {
    let statement = this.queries.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.queries.set(sql, statement);
    }
    return statement;
  }

  private checkQuery(query: GenerationQuery) {
    const q = fields(query, 'generation query', ['projectId', 'clientId', 'trainingRunId', 'favourite', 'rejected', 'picked', 'minRating', 'sort', 'limit', 'offset']);
    const clauses: string[] = [];
    const values: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      clauses.push(clause);
      values.push(value);
    };
    if (q['projectId'] !== undefined) add('project_id = ?', checkId(q['projectId'], 'projectId'));
    if (q['clientId'] !== undefined) add('project_id IN (SELECT id FROM projects WHERE client_id = ?)', checkId(q['clientId'], 'clientId'));
    if (q['trainingRunId'] !== undefined) add('training_run_id = ?', checkId(q['trainingRunId'], 'trainingRunId'));
    // Literal 0/1 rather than a bound value: the partial indexes of migration 002 only match literals.
    for (const flag of ['favourite', 'rejected', 'picked'] as const) {
      if (q[flag] !== undefined) clauses.push(`${flag} = ${bool(q[flag], flag) ? 1 : 0}`);
    }
    if (q['minRating'] !== undefined) add('rating >= ?', integer(q['minRating'], 'minRating', 1, 5));
    return {
      where: clauses.length > 0 ? ` WHERE ${clauses.join(' AND ')}` : '',
      values,
      sort: q['sort'] === undefined ? 'newest' : oneOf(q['sort'], 'sort', GENERATION_SORTS),
      limit: q['limit'] === undefined ? 100 : integer(q['limit'], 'limit', 1, 500),
      offset: q['offset'] === undefined ? 0 : integer(q['offset'], 'offset', 0, Number.MAX_SAFE_INTEGER),
    };
  }
}
