// Serves the contract: checks a call's method and params against API_RULES, runs its handler, turns whatever
// it throws into an ApiError, and publishes events (job state and progress from the queue, catalog-changed
// after every call or job that changed something). Electron IPC, the studio server and the CLI all call this.
import { rulesOf } from '../../common/api/contract.js';
import { toApiError } from '../../common/api/errors.js';
import type { ApiEvent } from '../../common/api/events.js';
import type { CatalogEntity } from '../../common/api/methods/rules.js';
import type { JobKind } from '../../common/api/types.js';
import type { JobEvent, JobView } from '../../services/jobs/job-types.js';
import { createHandlers } from './handlers.js';
import type { ApiHandlers, HandlerContext } from './handler-types.js';

/** What a finished job of each kind added to the catalog. */
const MADE_BY: Record<JobKind, CatalogEntity> = {
  import: 'photos',
  masks: 'masks',
  train: 'trainingRuns',
  generate: 'generations',
  postprocess: 'generations',
  export: 'exports',
};

/** The client a call concerned, when its params or result name one (lists reload only for that client). */
function clientOf(params: unknown, result: unknown): number | null {
  for (const value of [params, result]) {
    const v = value as { clientId?: unknown; client?: { id?: unknown }; project?: { clientId?: unknown } } | null;
    const id = v?.clientId ?? v?.client?.id ?? v?.project?.clientId;
    if (typeof id === 'number') return id;
  }
  return null;
}

/** Paths a job read from the staging area (uploads, edited masks), released once the job is done with them. */
function stagedPaths(job: JobView): string[] {
  if (job.request.kind === 'import') return job.request.paths;
  if (job.request.kind === 'masks') return job.request.maskPath === null ? [] : [job.request.maskPath];
  return [];
}

export class ApiDispatcher {
  private readonly handlers: ApiHandlers;
  private readonly listeners = new Set<(event: ApiEvent) => void>();
  private readonly unsubscribe: () => void;

  constructor(private readonly context: HandlerContext) {
    this.handlers = createHandlers(context);
    this.unsubscribe = context.studio.jobs.on((event) => this.onJobEvent(event));
  }

  /** Runs one call; rejects with an ApiError only. */
  async call(method: unknown, params: unknown): Promise<unknown> {
    try {
      const rules = rulesOf(method);
      const checked = rules.check(params);
      const handler = this.handlers[method as keyof ApiHandlers] as (p: unknown) => unknown;
      const result = await handler(checked);
      if (rules.changes) this.emit({ type: 'catalog-changed', entity: rules.changes, clientId: clientOf(checked, result) });
      return result;
    } catch (error) {
      const apiError = toApiError(error);
      if (apiError.code === 'internal') console.error(`[api] ${String(method)} failed:`, error);
      throw apiError;
    }
  }

  on(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.unsubscribe();
    this.listeners.clear();
  }

  private onJobEvent(event: JobEvent): void {
    if (event.type === 'job-progress') {
      this.emit(event);
      return;
    }
    const { job } = event;
    this.emit({ type: 'job-state', job });
    if (job.state === 'done') this.emit({ type: 'catalog-changed', entity: MADE_BY[job.kind], clientId: job.clientId });
    // A failed or paused job may run again and read its files again; done and cancelled jobs will not.
    if (job.state === 'done' || job.state === 'cancelled') {
      void this.context.staging.release(stagedPaths(job)).catch((error: unknown) => console.error(`[api] could not remove staged files of job ${job.id}:`, error));
    }
  }

  private emit(event: ApiEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // One broken window or socket must not keep the event from the others.
        console.error('[api] an event listener failed:', error);
      }
    }
  }
}
