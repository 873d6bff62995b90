// The studio commands' common ground: open the studio on --library, call the API in-process through the same
// dispatcher the app and the server use (same checks, same errors), follow a job with a progress bar, and turn
// API errors into the CLI's "message + hint, exit 1".
import { ApiError } from '../common/api/errors.js';
import type { ApiMethod, ApiParams, ApiResult } from '../common/api/contract.js';
import type { Job } from '../common/api/types.js';
import { ApiDispatcher } from '../server/api/dispatcher.js';
import { StagingArea } from '../server/api/staging.js';
import type { BaseModelChoice } from '../services/studio/base-model.js';
import type { Studio } from '../services/studio/studio.js';
import { openStudio, type OpenedStudio } from '../server/open-studio.js';
import { UsageError } from './args.js';
import { InputError } from './input-error.js';
import { ProgressBar } from './progress-bar.js';

export const LIBRARY_OPTION = { library: { type: 'string' }, json: { type: 'boolean' } } as const;

export interface SessionOptions {
  library?: string | undefined;
  /** 'spawn' for commands that need the engine or media host (generate, export, training). */
  hosts: 'spawn' | 'none';
  /** This run's base model (--model), instead of the one chosen in Settings. */
  baseModel?: BaseModelChoice | undefined;
}

export interface Session {
  readonly studio: Studio;
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>>;
  /** Waits for the job with a progress bar on stderr; Ctrl-C pauses it (it resumes later). Fails unless it ends done. */
  follow(job: Job, label: string): Promise<Job>;
}

function asInputError(error: unknown): unknown {
  return error instanceof ApiError ? new InputError(error.message, error.hint) : error;
}

export async function withStudio<T>(options: SessionOptions, work: (session: Session) => Promise<T>): Promise<T> {
  let opened: OpenedStudio;
  try {
    opened = await openStudio({
      ...(options.library === undefined ? {} : { libraryDir: options.library }),
      hosts: options.hosts,
      ...(options.baseModel === undefined ? {} : { baseModel: options.baseModel }),
    }, `magicapture ${process.argv[2] ?? ''}`.trim());
  } catch (error) {
    const e = error as { message?: string; hint?: string };
    throw new InputError(`could not open the library: ${e.message ?? String(error)}`, e.hint || 'Pass the library folder with --library DIR.');
  }
  const { studio } = opened;
  const staging = StagingArea.forLibrary(studio.library.dir);
  const dispatcher = new ApiDispatcher({ studio, staging, mode: 'cli' });
  const session: Session = {
    studio,
    call: async (method, params) => {
      try {
        return (await dispatcher.call(method, params)) as never;
      } catch (error) {
        throw asInputError(error);
      }
    },
    follow: (job, label) => follow(studio, dispatcher, job, label),
  };
  try {
    return await work(session);
  } finally {
    dispatcher.close();
    await opened.close();
  }
}

async function follow(studio: Studio, dispatcher: ApiDispatcher, job: Job, label: string): Promise<Job> {
  const bar = new ProgressBar(label);
  const stop = dispatcher.on((event) => {
    if (event.type === 'job-progress' && event.id === job.id) {
      const { done, total, etaSeconds, message } = event.progress;
      bar.update(done, total, etaSeconds ?? undefined, message ?? undefined);
    }
  });
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`${signal}: pausing job ${job.id} at a safe point (press Ctrl-C again to quit at once)\n`);
    studio.jobs.pause(job.id);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const settled = await studio.jobs.waitFor(job.id);
    if (settled.state === 'done') return settled;
    if (settled.state === 'paused') throw new InputError(`job ${job.id} is paused`, `Continue it with: magicapture jobs resume ${job.id}`);
    if (settled.state === 'cancelled') throw new InputError(`job ${job.id} was cancelled`);
    throw new InputError(`job ${job.id} failed: ${settled.error?.message ?? 'no reason recorded'}`, settled.error?.hint ?? `Resume it with: magicapture jobs resume ${job.id}`);
  } finally {
    stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Columns padded to their widest cell. */
export function printTable(rows: ReadonlyArray<readonly string[]>): void {
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  for (const row of rows) process.stdout.write(`${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}\n`);
}

export function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A positional or --flag id: a positive whole number. */
export function idArg(value: unknown, what: string): number {
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`expected ${what} to be an id (a positive whole number), received ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
  }
  return n;
}
