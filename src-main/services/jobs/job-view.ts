// A job row as callers see it: the request rebuilt from kind + payload, typed progress, result and failure.
import type { Job } from '../catalog/jobs-repository.js';
import type { JobProgress, JobRequest, JobResult, JobView } from './job-types.js';

/** States at which waitFor() resolves: the job will not move again on its own. */
export const RESTING_STATES = ['done', 'failed', 'cancelled', 'paused'] as const;

export function toJobView(job: Job, stopping: JobView['stopping'] = null): JobView {
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    priority: job.priority,
    request: { kind: job.kind, ...job.payload } as JobRequest,
    clientId: job.clientId,
    progress: job.progress as JobProgress | null,
    result: job.result as JobResult | null,
    error: job.error === null ? null : { code: job.errorCode ?? 'E_INTERNAL', message: job.error, hint: job.errorHint ?? '' },
    attempts: job.attempts,
    interruptions: job.interruptions,
    stopping,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
}
