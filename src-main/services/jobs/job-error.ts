// Errors of the job queue, and how any failure a runner throws is recorded. Failures come from every layer
// (catalog, library, hosts, engine); each keeps its own code, so the job row stores the code as given.
import { CodedError } from '../../common/coded-error.js';
import type { JobFailureInfo } from './job-types.js';

/** conflict: the job is in a state that does not allow the move; unavailable: no runner for the kind here. */
export type JobErrorCode = 'conflict' | 'unavailable' | 'E_CANCELLED' | 'E_INTERRUPTED';

export class JobError extends CodedError<JobErrorCode> {}

/** What a runner throws when it notices its signal at a safe point between two pieces of work. */
export function stoppedError(): JobError {
  return new JobError('E_CANCELLED', 'the job was stopped at a safe point');
}

export function throwIfStopped(signal: AbortSignal): void {
  if (signal.aborted) throw stoppedError();
}

/**
 * A host died (E_HOST_CRASHED) or was restarted from outside (E_HOST_STOPPED) while the job ran: the job itself
 * is fine and runs again, from its checkpoint for a training.
 */
export function isInterruption(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'E_HOST_CRASHED' || code === 'E_HOST_STOPPED';
}

export function failureOf(error: unknown): JobFailureInfo {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown; hint?: unknown };
  return {
    code: typeof e.code === 'string' && e.code !== '' ? e.code : 'E_INTERNAL',
    message: typeof e.message === 'string' && e.message !== '' ? e.message : String(error),
    hint: typeof e.hint === 'string' ? e.hint : '',
  };
}
