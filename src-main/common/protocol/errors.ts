// Errors as they cross the process boundary: a stable code, a message ("expected ..., received ...") and a hint.
// Codes E_BAD_ARGUMENT .. E_INTERNAL mirror native/lib/errors.ts; the rest belong to the hosts and supervisor.

// Type-only: erased at run time, so this file still loads in the sandboxed renderer.
import type { EngineErrorCode } from '../../../native/lib/errors.js';

export type { EngineErrorCode };

export type HostErrorCode =
  | EngineErrorCode
  /** An image the media host cannot decode: truncated, hostile, too large. */
  | 'E_BAD_IMAGE'
  /** The engine host runs one job at a time and one is running. */
  | 'E_BUSY'
  | 'E_UNKNOWN_METHOD'
  /** A malformed message: a bug in one of the two ends, or a stale build of the host. */
  | 'E_PROTOCOL'
  | 'E_HOST_CRASHED'
  | 'E_HOST_START_FAILED'
  /** The host was stopped or restarted on purpose while the request was in flight. */
  | 'E_HOST_STOPPED';

export const HOST_ERROR_CODES: readonly HostErrorCode[] = [
  'E_BAD_ARGUMENT', 'E_FILE_NOT_FOUND', 'E_BAD_CHECKPOINT', 'E_UNSUPPORTED_FORMAT', 'E_PICKLE_REFUSED', 'E_DEVICE',
  'E_CANCELLED', 'E_OUT_OF_MEMORY', 'E_INTERNAL', 'E_BAD_IMAGE', 'E_BUSY', 'E_UNKNOWN_METHOD', 'E_PROTOCOL',
  'E_HOST_CRASHED', 'E_HOST_START_FAILED', 'E_HOST_STOPPED',
];

export interface WireError {
  code: HostErrorCode;
  message: string;
  hint: string;
}

/** Any thrown value as a WireError; unknown codes become E_INTERNAL so callers can switch on code safely. */
export function toWireError(error: unknown): WireError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown; hint?: unknown };
  const code = HOST_ERROR_CODES.includes(e.code as HostErrorCode) ? (e.code as HostErrorCode) : 'E_INTERNAL';
  const message = typeof e.message === 'string' ? e.message : String(error);
  return { code, message, hint: typeof e.hint === 'string' ? e.hint : '' };
}

/** Why a host process went away, most specific first: the UI shows it and the job log keeps it. */
export type CrashReason =
  | { kind: 'out-of-memory'; message: string }
  | { kind: 'uncaught-exception'; message: string }
  | { kind: 'signal'; signal: string }
  | { kind: 'exit-code'; code: number }
  | { kind: 'ready-timeout'; timeoutMs: number }
  | { kind: 'spawn-failed'; message: string }
  | { kind: 'bad-handshake'; message: string };

export function describeCrashReason(reason: CrashReason): string {
  switch (reason.kind) {
    case 'out-of-memory':
      return `ran out of memory (${reason.message})`;
    case 'uncaught-exception':
      return `threw an uncaught exception: ${reason.message}`;
    case 'signal':
      return `was killed by ${reason.signal}`;
    case 'exit-code':
      return `exited with code ${reason.code}`;
    case 'ready-timeout':
      return `did not report ready within ${reason.timeoutMs} ms`;
    case 'spawn-failed':
      return `could not be started: ${reason.message}`;
    case 'bad-handshake':
      return `sent a bad ready message: ${reason.message}`;
  }
}
