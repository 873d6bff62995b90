// Training runs of a project: the config, where the run is in its life, the folder of resumable checkpoints
// (library-relative, runs/<id>) and the finished outputs (LoRA/embedding files, content-addressed blobs).
import type BetterSqlite3 from 'better-sqlite3';

import { CatalogError, guarded, notFound } from './catalog-error.js';
import { fields, id as checkId, json, oneOf, optionalInteger, optionalText, sha256, text } from './validate.js';

export const TRAINING_STATES = ['pending', 'running', 'paused', 'done', 'failed', 'cancelled'] as const;
export type TrainingState = (typeof TRAINING_STATES)[number];

/** A failed run may be resumed from its last checkpoint; done and cancelled are final. */
const NEXT_STATES: Record<TrainingState, readonly TrainingState[]> = {
  pending: ['running', 'cancelled'],
  running: ['paused', 'done', 'failed', 'cancelled'],
  paused: ['running', 'cancelled'],
  failed: ['running', 'cancelled'],
  done: [],
  cancelled: [],
};

export interface TrainingRun {
  id: number;
  projectId: number;
  config: Record<string, unknown>;
  state: TrainingState;
  checkpointsDir: string;
  error: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface TrainingOutput {
  id: number;
  trainingRunId: number;
  /** e.g. "lora", "lora-kohya", "embeddings". */
  kind: string;
  step: number | null;
  blob: string;
  createdAt: number;
}

export interface NewTrainingOutput {
  trainingRunId: number;
  kind: string;
  step?: number | null;
  blob: string;
}

interface RunRow {
  id: number;
  project_id: number;
  config: string;
  state: TrainingState;
  checkpoints_dir: string;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

interface OutputRow {
  id: number;
  training_run_id: number;
  kind: string;
  step: number | null;
  blob: string;
  created_at: number;
}

function toRun(row: RunRow): TrainingRun {
  return {
    id: row.id,
    projectId: row.project_id,
    config: JSON.parse(row.config) as Record<string, unknown>,
    state: row.state,
    checkpointsDir: row.checkpoints_dir,
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

function toOutput(row: OutputRow): TrainingOutput {
  return { id: row.id, trainingRunId: row.training_run_id, kind: row.kind, step: row.step, blob: row.blob, createdAt: row.created_at };
}

export class TrainingRunsRepository {
  private readonly insertRow;
  private readonly setDir;
  private readonly selectOne;
  private readonly selectByProject;
  private readonly updateState;
  private readonly insertOutput;
  private readonly selectOutputs;
  private readonly projectExists;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.insertRow = db.prepare<[number, string, number], { id: number }>(
      "INSERT INTO training_runs (project_id, config, state, checkpoints_dir, created_at) VALUES (?, ?, 'pending', '', ?) RETURNING id",
    );
    this.setDir = db.prepare<[number]>("UPDATE training_runs SET checkpoints_dir = 'runs/' || id WHERE id = ?");
    this.selectOne = db.prepare<[number], RunRow>('SELECT * FROM training_runs WHERE id = ?');
    this.selectByProject = db.prepare<[number], RunRow>('SELECT * FROM training_runs WHERE project_id = ? ORDER BY created_at, id');
    this.updateState = db.prepare<[string, string | null, number | null, number | null, number]>(
      `UPDATE training_runs SET state = ?, error = ?, started_at = coalesce(started_at, ?),
         finished_at = ? WHERE id = ?`,
    );
    this.insertOutput = db.prepare<[number, string, number | null, string, number], OutputRow>(
      'INSERT INTO training_outputs (training_run_id, kind, step, blob, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *',
    );
    this.selectOutputs = db.prepare<[number], OutputRow>('SELECT * FROM training_outputs WHERE training_run_id = ? ORDER BY id');
    this.projectExists = db.prepare<[number], number>('SELECT 1 FROM projects WHERE id = ?').pluck();
  }

  create(input: { projectId: number; config: Record<string, unknown> }): TrainingRun {
    const f = fields(input, 'new training run', ['projectId', 'config']);
    const projectId = checkId(f['projectId'], 'projectId');
    const config = json(f['config'], 'config');
    return this.db.transaction(() => {
      if (!this.projectExists.get(projectId)) throw notFound('project', projectId);
      const { id } = guarded('create training run', () => this.insertRow.get(projectId, config, Date.now()) as { id: number });
      this.setDir.run(id);
      return this.get(id);
    })();
  }

  get(id: number): TrainingRun {
    const row = this.selectOne.get(checkId(id, 'training run id'));
    if (!row) throw notFound('training run', id);
    return toRun(row);
  }

  listByProject(projectId: number): TrainingRun[] {
    return this.selectByProject.all(checkId(projectId, 'projectId')).map(toRun);
  }

  /** Moves the run along its life (pending → running → done, …); an impossible move is a `conflict`. */
  setState(id: number, state: TrainingState, error?: string | null): TrainingRun {
    const next = oneOf(state, 'state', TRAINING_STATES);
    const message = optionalText(error, 'error', { max: 10_000 });
    return this.db.transaction(() => {
      const run = this.get(id);
      if (!NEXT_STATES[run.state].includes(next)) {
        const allowed = NEXT_STATES[run.state].join(' or ') || 'nothing (it is finished)';
        throw new CatalogError('conflict', `training run ${id} is ${run.state}: it can move to ${allowed}, not to ${next}`);
      }
      const now = Date.now();
      const finished = ['done', 'failed', 'cancelled'].includes(next) ? now : null;
      this.updateState.run(next, next === 'failed' ? message : null, next === 'running' ? now : null, finished, id);
      return this.get(id);
    })();
  }

  addOutput(input: NewTrainingOutput): TrainingOutput {
    const f = fields(input, 'training output', ['trainingRunId', 'kind', 'step', 'blob']);
    const runId = checkId(f['trainingRunId'], 'trainingRunId');
    const kind = text(f['kind'], 'kind', { max: 40, pattern: /^[a-z0-9_-]+$/, patternText: 'a short kind like lora or embeddings' });
    const step = optionalInteger(f['step'], 'step', 0, 10_000_000);
    const blob = sha256(f['blob'], 'blob');
    return this.db.transaction(() => {
      this.get(runId);
      return toOutput(guarded('add training output', () => this.insertOutput.get(runId, kind, step, blob, Date.now()) as OutputRow));
    })();
  }

  listOutputs(trainingRunId: number): TrainingOutput[] {
    return this.selectOutputs.all(checkId(trainingRunId, 'trainingRunId')).map(toOutput);
  }
}
