// The persistent job queue (DESIGN.md §4): every job is a row of the catalog's jobs table, so a crash or a restart
// loses nothing. One engine job (train, generate) runs at a time, because the engine host runs one; media jobs
// (import, masks, postprocess, export) run beside it, a few at once. Higher priority first, then oldest.
// cancel, pause and shutdown abort the runner's signal, which reaches the host request and the native job; the
// job's next state is written only once the runner has stopped, so a paused training has written its checkpoint
// by the time anyone sees "paused". A job that was running when the broker died is queued again at the next
// start(); one whose host crashed is queued again at once; both a bounded number of times in a row.
import type { Catalog } from '../catalog/catalog.js';
import type { JobFilter } from '../catalog/jobs-repository.js';
import { removeFile } from '../library/blob-store.js';
import type { Library } from '../library/library.js';
import { JobError } from './job-error.js';
import { type Outcome, outcomeOfError, recordOutcome, tooManyInterruptions } from './job-outcome.js';
import { checkJobRequest, clientOfRequest, payloadOf } from './job-request.js';
import {
  ENGINE_KINDS,
  type JobContext,
  type JobEvent,
  type JobKind,
  type JobRequest,
  type JobRunner,
  type JobRunners,
  type JobState,
  type JobView,
  type ResultOf,
  type StopRequest,
} from './job-types.js';
import { RESTING_STATES, toJobView } from './job-view.js';
import { ProgressReporter } from './progress-reporter.js';

export interface JobQueueDeps {
  catalog: Catalog;
  library: Library;
  runners: JobRunners;
  concurrency?: { media?: number };
  /** Crashes in a row after which a job fails instead of running again (default 3). */
  maxInterruptions?: number;
  /** Least time between two progress events of one job (default 250 ms). */
  progressIntervalMs?: number;
}

interface Active {
  kind: JobKind;
  controller: AbortController;
  stop: StopRequest | null;
  done: Promise<void>;
}

const DEFAULT_MEDIA_CONCURRENCY = 2;
const isEngineKind = (kind: JobKind) => ENGINE_KINDS.includes(kind);

export class JobQueue {
  private readonly catalog: Catalog;
  private readonly library: Library;
  private readonly runners: JobRunners;
  private readonly mediaSlots: number;
  private readonly maxInterruptions: number;
  private readonly active = new Map<number, Active>();
  private readonly listeners = new Set<(event: JobEvent) => void>();
  private readonly waiters = new Map<number, Set<(job: JobView) => void>>();
  /** Runners' settled() hooks still finishing (removing a checkpoint folder, …): stop() waits for them. */
  private readonly tidying = new Set<Promise<void>>();
  private readonly progress: ProgressReporter;
  private phase: 'idle' | 'recovering' | 'running' | 'stopping' = 'idle';

  constructor(deps: JobQueueDeps) {
    this.catalog = deps.catalog;
    this.library = deps.library;
    this.runners = deps.runners;
    this.mediaSlots = Math.max(1, deps.concurrency?.media ?? DEFAULT_MEDIA_CONCURRENCY);
    this.maxInterruptions = deps.maxInterruptions ?? 3;
    this.progress = new ProgressReporter(
      {
        emit: (id, progress) => this.emit({ type: 'job-progress', id, progress }),
        persist: (id, progress) => this.catalog.jobs.setProgress(id, progress as unknown as Record<string, unknown>),
      },
      deps.progressIntervalMs,
    );
  }

  /** Re-queues the jobs a crash left running, removes the crash's half-written files, then runs the queue. */
  start(): void {
    if (this.phase !== 'idle') return;
    const interrupted = this.recover();
    this.phase = 'recovering';
    // Temp files are removed before any new job can write one of its own.
    void (interrupted > 0 ? this.removeTempLeftovers() : Promise.resolve()).finally(() => {
      if (this.phase !== 'recovering') return;
      this.phase = 'running';
      this.pump();
    });
  }

  /** Takes no more work; running jobs stop at their next safe point and go back in the queue for the next start. */
  async stop(): Promise<void> {
    if (this.phase === 'idle') return;
    this.phase = 'stopping';
    for (const active of this.active.values()) this.requestStop(active, 'shutdown');
    await Promise.allSettled([...this.active.values()].map((a) => a.done));
    await Promise.allSettled([...this.tidying]);
    this.progress.close();
    this.phase = 'idle';
  }

  /** Whether this queue has a runner for the kind (a studio opened without hosts runs only import and masks). */
  canRun(kind: JobKind): boolean {
    return this.runners[kind] !== undefined;
  }

  enqueue(request: JobRequest, options: { priority?: number } = {}): JobView {
    const checked = checkJobRequest(request);
    if (!this.canRun(checked.kind)) {
      const kinds = Object.keys(this.runners).join(', ') || 'none';
      throw new JobError('unavailable', `expected a kind of job this studio can run (${kinds}), received ${checked.kind}`,
        checked.kind === 'postprocess' ? 'Face restoration and upscaling are not available yet.' : 'Open the studio with its engine and media hosts.');
    }
    const clientId = clientOfRequest(this.catalog, checked);
    const job = toJobView(
      this.catalog.jobs.enqueue({ kind: checked.kind, payload: payloadOf(checked), clientId, ...(options.priority === undefined ? {} : { priority: options.priority }) }),
    );
    this.emitState(job);
    this.pump();
    return job;
  }

  get(id: number): JobView {
    return toJobView(this.catalog.jobs.get(id), this.stoppingOf(id));
  }

  list(filter: { state?: JobState; clientId?: number; kind?: JobKind } = {}): JobView[] {
    const query: JobFilter = {};
    if (filter.state !== undefined) query.state = filter.state;
    if (filter.clientId !== undefined) query.clientId = filter.clientId;
    return this.catalog.jobs
      .list(query)
      .filter((job) => filter.kind === undefined || job.kind === filter.kind)
      .map((job) => toJobView(job, this.stoppingOf(job.id)));
  }

  /** Queued, paused or failed: cancelled at once. Running: stopped at its next safe point, then cancelled. */
  cancel(id: number): JobView {
    const active = this.active.get(id);
    if (active) {
      this.requestStop(active, 'cancel');
      return this.get(id);
    }
    const job = this.get(id);
    if (job.state === 'cancelled') return job;
    if (job.state === 'done') throw new JobError('conflict', `expected a job that has not finished, received job ${id}, which is done`);
    return this.settle(toJobView(this.catalog.jobs.setState(id, 'cancelled')));
  }

  /** Queued: paused at once. Running: stopped at its next safe point (a training writes its checkpoint), then paused. */
  pause(id: number): JobView {
    const active = this.active.get(id);
    if (active) {
      this.requestStop(active, 'pause');
      return this.get(id);
    }
    const job = this.get(id);
    if (job.state === 'paused') return job;
    if (job.state !== 'queued') throw new JobError('conflict', `expected a queued or running job to pause, received job ${id}, which is ${job.state}`);
    return this.settle(toJobView(this.catalog.jobs.setState(id, 'paused')));
  }

  /** A paused or failed job goes back in the queue; it continues where it stopped (a training from its checkpoint). */
  resume(id: number): JobView {
    const job = this.get(id);
    if (job.state === 'queued' || job.state === 'running') return job;
    if (job.state !== 'paused' && job.state !== 'failed') {
      throw new JobError('conflict', `expected a paused or failed job to resume, received job ${id}, which is ${job.state}`);
    }
    const queued = this.settle(toJobView(this.catalog.jobs.retry(id)));
    this.pump();
    return queued;
  }

  on(listener: (event: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when the job is done, failed, cancelled or paused. */
  waitFor(id: number): Promise<JobView> {
    const job = this.get(id);
    if ((RESTING_STATES as readonly string[]).includes(job.state) && !this.active.has(id)) return Promise.resolve(job);
    return new Promise((resolve) => {
      const set = this.waiters.get(id) ?? new Set();
      set.add(resolve);
      this.waiters.set(id, set);
    });
  }

  // ---- running jobs ----

  private pump(): void {
    if (this.phase !== 'running') return;
    let engineBusy = [...this.active.values()].some((a) => isEngineKind(a.kind));
    let media = [...this.active.values()].filter((a) => !isEngineKind(a.kind)).length;
    for (const job of this.catalog.jobs.list({ state: 'queued' })) {
      if (engineBusy && media >= this.mediaSlots) break;
      // A kind without a runner here (the engine jobs of a studio opened without hosts) waits for one that has it.
      if (!this.runners[job.kind]) continue;
      const engine = isEngineKind(job.kind);
      if (engine ? engineBusy : media >= this.mediaSlots) continue;
      if (engine) engineBusy = true;
      else media += 1;
      this.launch(toJobView(this.catalog.jobs.setState(job.id, 'running')));
    }
  }

  private launch(job: JobView): void {
    const runner = this.runners[job.kind] as JobRunner<JobKind>;
    const active: Active = { kind: job.kind, controller: new AbortController(), stop: null, done: Promise.resolve() };
    this.active.set(job.id, active);
    this.progress.begin(job.id);
    this.emitState(job);
    active.done = this.execute(job, runner, active);
  }

  private async execute(job: JobView, runner: JobRunner<JobKind>, active: Active): Promise<void> {
    const context: JobContext<JobKind> = {
      job,
      signal: active.controller.signal,
      stopRequest: () => active.stop,
      saved: job.result as ResultOf<JobKind> | null,
      save: (result) => this.catalog.jobs.setResult(job.id, result as unknown as Record<string, unknown>),
      progress: (update) => this.progress.update(job.id, update),
    };
    let outcome: Outcome;
    try {
      outcome = { state: 'done', result: await runner.run(job.request as never, context as never) };
    } catch (error) {
      outcome = outcomeOfError(error, active.stop, job, this.maxInterruptions);
      if (outcome.state === 'failed') console.error(`[jobs] job ${job.id} (${job.kind}) failed: ${outcome.failure.message}`);
    }
    this.progress.end(job.id);
    let settled: JobView | undefined;
    try {
      settled = toJobView(recordOutcome(this.catalog, job.id, outcome));
    } catch (error) {
      console.error(`[jobs] could not record the end of job ${job.id}: ${(error as Error).message}`);
    }
    this.active.delete(job.id);
    if (settled) await this.settleAndWait(settled, true);
    this.pump();
  }

  private requestStop(active: Active, stop: StopRequest): void {
    // A cancel overrides an earlier pause or shutdown; nothing overrides a cancel.
    if (active.stop === 'cancel' || active.stop === stop) return;
    active.stop = stop;
    active.controller.abort();
  }

  private stoppingOf(id: number): JobView['stopping'] {
    const stop = this.active.get(id)?.stop;
    return stop === 'cancel' || stop === 'pause' ? stop : null;
  }

  /** Tells the runner about the new state (its synchronous part first), then everyone else; returns the job. */
  private settle(job: JobView): JobView {
    void this.settleAndWait(job, false);
    return job;
  }

  /** `afterRun`: the job's runner has just stopped; its waiters hear once the tidying is done too. */
  private async settleAndWait(job: JobView, afterRun: boolean): Promise<void> {
    const runner = this.runners[job.kind] as JobRunner<JobKind> | undefined;
    let tidy: Promise<void> | undefined;
    try {
      const pending = runner?.settled?.(job.request as never, job);
      if (pending) tidy = pending.catch((error: unknown) => console.error(`[jobs] tidying after job ${job.id}: ${(error as Error).message}`));
    } catch (error) {
      console.error(`[jobs] tidying after job ${job.id}: ${(error as Error).message}`);
    }
    if (tidy) {
      this.tidying.add(tidy);
      void tidy.finally(() => this.tidying.delete(tidy));
    }
    if (tidy && afterRun) await tidy;
    this.emitState(job);
  }

  // ---- recovery ----

  private recover(): number {
    const running = this.catalog.jobs.list({ state: 'running' });
    for (const job of running) {
      const view = toJobView(job);
      if (job.interruptions >= this.maxInterruptions) {
        const failure = tooManyInterruptions(job.interruptions + 1, 'the app stopped while it ran');
        this.settle(toJobView(this.catalog.jobs.setState(job.id, 'failed', failure)));
      } else {
        this.settle(toJobView(this.catalog.jobs.interrupt(view.id)));
      }
    }
    return running.length;
  }

  private async removeTempLeftovers(): Promise<void> {
    for (const entry of await this.library.blobs.list()) {
      if (entry.kind === 'temp') await removeFile(entry.path).catch(() => undefined);
    }
  }

  // ---- events ----

  private emitState(job: JobView): void {
    this.emit({ type: 'job-state', job });
    if (!(RESTING_STATES as readonly string[]).includes(job.state)) return;
    const waiting = this.waiters.get(job.id);
    this.waiters.delete(job.id);
    for (const resolve of waiting ?? []) resolve(job);
  }

  private emit(event: JobEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error(`[jobs] a job listener threw: ${(error as Error).message}`);
      }
    }
  }
}
