// Storage for the job queue (the scheduler is a separate service): every queued, running or paused job is a
// row, so a crash or a restart loses no work. State moves are checked here so that no caller can, say, finish
// a cancelled job; `claimNext` hands out the next job atomically.
import type BetterSqlite3 from 'better-sqlite3';

import { CatalogError, guarded, notFound } from './catalog-error.js';
import { fields, id as checkId, integer, json, oneOf, optionalId, optionalText } from './validate.js';

export const JOB_KINDS = ['import', 'masks', 'train', 'generate', 'postprocess', 'export'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export const JOB_STATES = ['queued', 'running', 'paused', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** running → queued is the restart path: a job that was running when the app stopped goes back in the queue. */
const NEXT_STATES: Record<JobState, readonly JobState[]> = {
  queued: ['running', 'paused', 'cancelled'],
  running: ['done', 'failed', 'paused', 'cancelled', 'queued'],
  paused: ['queued', 'cancelled'],
  failed: ['queued', 'cancelled'],
  done: [],
  cancelled: [],
};
const FINAL: readonly JobState[] = ['done', 'failed', 'cancelled'];

export interface Job {
  id: number;
  kind: JobKind;
  state: JobState;
  priority: number;
  payload: Record<string, unknown>;
  progress: Record<string, unknown> | null;
  error: string | null;
  attempts: number;
  clientId: number | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface NewJob {
  kind: JobKind;
  payload: Record<string, unknown>;
  priority?: number;
  clientId?: number | null;
}

export interface JobFilter {
  state?: JobState;
  clientId?: number;
}

interface JobRow {
  id: number;
  kind: JobKind;
  state: JobState;
  priority: number;
  payload: string;
  progress: string | null;
  error: string | null;
  attempts: number;
  client_id: number | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    priority: row.priority,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    progress: row.progress === null ? null : (JSON.parse(row.progress) as Record<string, unknown>),
    error: row.error,
    attempts: row.attempts,
    clientId: row.client_id,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export class JobsRepository {
  private readonly insertRow;
  private readonly selectOne;
  private readonly selectAll;
  private readonly selectByState;
  private readonly selectByClient;
  private readonly selectNext;
  private readonly updateState;
  private readonly updateProgress;
  private readonly clientExists;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.insertRow = db.prepare<[string, number, string, number | null, number], JobRow>(
      "INSERT INTO jobs (kind, state, priority, payload, client_id, created_at) VALUES (?, 'queued', ?, ?, ?, ?) RETURNING *",
    );
    this.selectOne = db.prepare<[number], JobRow>('SELECT * FROM jobs WHERE id = ?');
    const order = 'ORDER BY priority DESC, created_at, id';
    this.selectAll = db.prepare<[], JobRow>(`SELECT * FROM jobs ${order}`);
    this.selectByState = db.prepare<[string], JobRow>(`SELECT * FROM jobs WHERE state = ? ${order}`);
    this.selectByClient = db.prepare<[number], JobRow>(`SELECT * FROM jobs WHERE client_id = ? ${order}`);
    this.selectNext = db.prepare<[], JobRow>(`SELECT * FROM jobs WHERE state = 'queued' ${order} LIMIT 1`);
    this.updateState = db.prepare<[string, string | null, number, number | null, number | null, number], JobRow>(
      `UPDATE jobs SET state = ?, error = ?, attempts = attempts + ?, started_at = coalesce(started_at, ?), finished_at = ?
       WHERE id = ? RETURNING *`,
    );
    this.updateProgress = db.prepare<[string, number]>('UPDATE jobs SET progress = ? WHERE id = ?');
    this.clientExists = db.prepare<[number], number>('SELECT 1 FROM clients WHERE id = ?').pluck();
  }

  enqueue(input: NewJob): Job {
    const f = fields(input, 'new job', ['kind', 'payload', 'priority', 'clientId']);
    const kind = oneOf(f['kind'], 'kind', JOB_KINDS);
    const payload = json(f['payload'], 'payload');
    const priority = f['priority'] === undefined ? 0 : integer(f['priority'], 'priority', -1000, 1000);
    const clientId = optionalId(f['clientId'], 'clientId');
    return this.db.transaction(() => {
      if (clientId !== null && !this.clientExists.get(clientId)) throw notFound('client', clientId);
      return toJob(guarded('enqueue job', () => this.insertRow.get(kind, priority, payload, clientId, Date.now()) as JobRow));
    })();
  }

  get(id: number): Job {
    const row = this.selectOne.get(checkId(id, 'job id'));
    if (!row) throw notFound('job', id);
    return toJob(row);
  }

  /** Jobs in queue order (priority, then age). */
  list(filter: JobFilter = {}): Job[] {
    const f = fields(filter, 'job filter', ['state', 'clientId']);
    if (f['state'] !== undefined && f['clientId'] !== undefined) {
      const state = oneOf(f['state'], 'state', JOB_STATES);
      return this.selectByClient.all(checkId(f['clientId'], 'clientId')).map(toJob).filter((job) => job.state === state);
    }
    if (f['state'] !== undefined) return this.selectByState.all(oneOf(f['state'], 'state', JOB_STATES)).map(toJob);
    if (f['clientId'] !== undefined) return this.selectByClient.all(checkId(f['clientId'], 'clientId')).map(toJob);
    return this.selectAll.all().map(toJob);
  }

  /** Marks the next queued job running (attempts + 1) and returns it; undefined when the queue is empty. */
  claimNext(): Job | undefined {
    return this.db.transaction(() => {
      const row = this.selectNext.get();
      return row && this.setState(row.id, 'running');
    }).immediate();
  }

  /** Moves a job (queued → running → done, …); an impossible move is a `conflict`. `error` is kept for failed. */
  setState(id: number, state: JobState, error?: string | null): Job {
    const next = oneOf(state, 'state', JOB_STATES);
    const message = optionalText(error, 'error', { max: 10_000 });
    return this.db.transaction(() => {
      const job = this.get(id);
      if (!NEXT_STATES[job.state].includes(next)) {
        const allowed = NEXT_STATES[job.state].join(' or ') || 'nothing (it is finished)';
        throw new CatalogError('conflict', `job ${id} is ${job.state}: it can move to ${allowed}, not to ${next}`);
      }
      const now = Date.now();
      const row = this.updateState.get(next, next === 'failed' ? message : null, next === 'running' ? 1 : 0, next === 'running' ? now : null, FINAL.includes(next) ? now : null, id);
      return toJob(row as JobRow);
    })();
  }

  setProgress(id: number, progress: Record<string, unknown>): void {
    const value = json(progress, 'progress');
    if (this.updateProgress.run(value, checkId(id, 'job id')).changes === 0) throw notFound('job', id);
  }
}
