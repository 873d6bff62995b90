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
  /** What the job has made so far (written by its runner; partial while it runs). */
  result: Record<string, unknown> | null;
  error: string | null;
  /** The failure's code and hint, beside its message in `error`. */
  errorCode: string | null;
  errorHint: string | null;
  attempts: number;
  /** Crashes of the broker or a host while the job ran. */
  interruptions: number;
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

/** Why a job failed: `error` alone is the message; the object adds a code to branch on and a hint. */
export type JobFailure = string | { message: string; code?: string | null; hint?: string | null };

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
  result: string | null;
  error: string | null;
  error_code: string | null;
  error_hint: string | null;
  attempts: number;
  interruptions: number;
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
    result: row.result === null ? null : (JSON.parse(row.result) as Record<string, unknown>),
    error: row.error,
    errorCode: row.error_code,
    errorHint: row.error_hint,
    attempts: row.attempts,
    interruptions: row.interruptions,
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
  private readonly updateResult;
  private readonly requeueRow;
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
    this.updateState = db.prepare<[string, string | null, string | null, string | null, number, number | null, number | null, number], JobRow>(
      `UPDATE jobs SET state = ?, error = ?, error_code = ?, error_hint = ?, attempts = attempts + ?, started_at = coalesce(started_at, ?),
         finished_at = ? WHERE id = ? RETURNING *`,
    );
    this.updateProgress = db.prepare<[string, number]>('UPDATE jobs SET progress = ? WHERE id = ?');
    this.updateResult = db.prepare<[string, number]>('UPDATE jobs SET result = ? WHERE id = ?');
    this.requeueRow = db.prepare<[number, number], JobRow>(
      "UPDATE jobs SET state = 'queued', error = NULL, error_code = NULL, error_hint = NULL, finished_at = NULL, interruptions = ? WHERE id = ? RETURNING *",
    );
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
  setState(id: number, state: JobState, error?: JobFailure | null): Job {
    const next = oneOf(state, 'state', JOB_STATES);
    const failure: { message?: string | null; code?: string | null; hint?: string | null } =
      typeof error === 'object' && error !== null ? error : { message: error ?? null };
    const message = optionalText(failure.message, 'error', { max: 10_000 });
    const code = optionalText(failure.code, 'error code', { max: 100 });
    const hint = optionalText(failure.hint || null, 'error hint', { max: 10_000 });
    return this.db.transaction(() => {
      const job = this.get(id);
      if (!NEXT_STATES[job.state].includes(next)) {
        const allowed = NEXT_STATES[job.state].join(' or ') || 'nothing (it is finished)';
        throw new CatalogError('conflict', `job ${id} is ${job.state}: it can move to ${allowed}, not to ${next}`);
      }
      const now = Date.now();
      const failed = next === 'failed';
      const row = this.updateState.get(
        next,
        failed ? message : null,
        failed ? code : null,
        failed ? hint : null,
        next === 'running' ? 1 : 0,
        next === 'running' ? now : null,
        FINAL.includes(next) ? now : null,
        id,
      );
      return toJob(row as JobRow);
    })();
  }

  /** A running job whose broker or host crashed goes back in the queue, counted in `interruptions`. */
  interrupt(id: number): Job {
    return this.db.transaction(() => {
      const job = this.get(id);
      if (job.state !== 'running') throw new CatalogError('conflict', `job ${id} is ${job.state}: only a running job can be interrupted`);
      return toJob(this.requeueRow.get(job.interruptions + 1, id) as JobRow);
    })();
  }

  /** A paused or failed job goes back in the queue with its interruption count cleared (the person asked for it). */
  retry(id: number): Job {
    return this.db.transaction(() => {
      const job = this.get(id);
      if (job.state !== 'paused' && job.state !== 'failed') {
        throw new CatalogError('conflict', `job ${id} is ${job.state}: only a paused or failed job can be queued again`);
      }
      return toJob(this.requeueRow.get(0, id) as JobRow);
    })();
  }

  /** Replaces what the job has made so far (runners call it inside the transaction that commits the work). */
  setResult(id: number, result: Record<string, unknown>): void {
    const value = json(result, 'result');
    if (this.updateResult.run(value, checkId(id, 'job id')).changes === 0) throw notFound('job', id);
  }

  setProgress(id: number, progress: Record<string, unknown>): void {
    const value = json(progress, 'progress');
    if (this.updateProgress.run(value, checkId(id, 'job id')).changes === 0) throw notFound('job', id);
  }
}
