// What becomes of a job when its runner returns or throws, and how that is written to the catalog. The stop
// request wins over the error it caused: a training aborted for a pause ends with E_CANCELLED from the engine,
// and that is a pause, not a failure.
import type { Catalog } from '../catalog/catalog.js';
import type { Job } from '../catalog/jobs-repository.js';
import { failureOf, isInterruption } from './job-error.js';
import type { JobFailureInfo, JobResult, JobView, StopRequest } from './job-types.js';

export type Outcome =
  | { state: 'done'; result: JobResult }
  | { state: 'paused' }
  | { state: 'cancelled' }
  /** Back in the queue: the queue is shutting down (not counted), or a host crashed under the job (counted). */
  | { state: 'queued'; interrupted: boolean }
  | { state: 'failed'; failure: JobFailureInfo };

export function outcomeOfError(error: unknown, stop: StopRequest | null, job: JobView, maxInterruptions: number): Outcome {
  if (stop === 'cancel') return { state: 'cancelled' };
  if (stop === 'pause') return { state: 'paused' };
  if (stop === 'shutdown') return { state: 'queued', interrupted: false };
  if (!isInterruption(error)) return { state: 'failed', failure: failureOf(error) };
  if (job.interruptions < maxInterruptions) return { state: 'queued', interrupted: true };
  return { state: 'failed', failure: tooManyInterruptions(job.interruptions + 1, failureOf(error).message) };
}

export function tooManyInterruptions(times: number, last: string): JobFailureInfo {
  return {
    code: 'E_INTERRUPTED',
    message: `the job was interrupted ${times} times in a row (last: ${last})`,
    hint: 'Something keeps stopping it (memory, a driver, the machine going to sleep). Resume it once the cause is fixed; a training continues from its last checkpoint.',
  };
}

export function recordOutcome(catalog: Catalog, id: number, outcome: Outcome): Job {
  switch (outcome.state) {
    case 'done':
      return catalog.transaction(() => {
        catalog.jobs.setResult(id, outcome.result as unknown as Record<string, unknown>);
        return catalog.jobs.setState(id, 'done');
      });
    case 'queued':
      return outcome.interrupted ? catalog.jobs.interrupt(id) : catalog.jobs.setState(id, 'queued');
    case 'failed':
      return catalog.jobs.setState(id, 'failed', outcome.failure);
    default:
      return catalog.jobs.setState(id, outcome.state);
  }
}
