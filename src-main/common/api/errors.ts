// Errors as the API returns them, over IPC and HTTP alike: `{code, message, hint}`. The code is what callers
// branch on, the message says what was expected and what was received, the hint says what to do. Every layer
// below (catalog, library, job queue, hosts, engine) keeps its own codes; errorBody() maps them onto this set.
import { CodedError } from '../coded-error.js';

export type ApiErrorCode =
  /** Params of the wrong type, shape or range. */
  | 'invalid'
  /** A name or path that would leave its folder ("../../etc/passwd") or a relative path where an absolute one is needed. */
  | 'unsafe_path'
  /** A file that is not a usable image (empty, truncated, unsupported format, too many pixels). */
  | 'bad_file'
  | 'not_found'
  | 'unknown_method'
  /** The thing is in a state that does not allow the change (a finished job, a training already open). */
  | 'conflict'
  /** The client's consent for this use (training, generation) is not in force. */
  | 'consent'
  | 'too_large'
  | 'unauthorized'
  /** A request from another site or through a host name we do not serve (DNS rebinding). */
  | 'forbidden'
  | 'unsupported_media_type'
  | 'method_not_allowed'
  /** Not possible in this process: no engine host, or a file dialog in the browser. */
  | 'unavailable'
  | 'cancelled'
  | 'internal';

export const API_ERROR_STATUS: Readonly<Record<ApiErrorCode, number>> = {
  invalid: 400,
  unsafe_path: 400,
  bad_file: 422,
  not_found: 404,
  unknown_method: 404,
  conflict: 409,
  consent: 409,
  too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  unsupported_media_type: 415,
  method_not_allowed: 405,
  unavailable: 503,
  cancelled: 409,
  internal: 500,
};

export const API_ERROR_CODES = Object.keys(API_ERROR_STATUS) as ApiErrorCode[];

export interface ApiErrorBody {
  code: ApiErrorCode;
  message: string;
  hint: string;
}

export class ApiError extends CodedError<ApiErrorCode> {
  get status(): number {
    return API_ERROR_STATUS[this.code];
  }

  toJSON(): ApiErrorBody {
    return { code: this.code, message: this.message, hint: this.hint };
  }
}

/** Codes of the layers below, by what they mean to a caller. Anything unlisted is internal. */
const CODE_MAP: Readonly<Record<string, ApiErrorCode>> = {
  // catalog
  invalid: 'invalid',
  not_found: 'not_found',
  conflict: 'conflict',
  // library
  unsafe_path: 'unsafe_path',
  empty_file: 'bad_file',
  not_an_image: 'bad_file',
  unsupported_format: 'bad_file',
  corrupt_image: 'bad_file',
  corrupt_file: 'bad_file',
  too_many_pixels: 'bad_file',
  too_large: 'too_large',
  bad_settings: 'invalid',
  // studio and job queue
  consent: 'consent',
  unavailable: 'unavailable',
  E_CANCELLED: 'cancelled',
  // hosts and engine
  E_BAD_ARGUMENT: 'invalid',
  E_FILE_NOT_FOUND: 'not_found',
  E_BAD_CHECKPOINT: 'bad_file',
  E_UNSUPPORTED_FORMAT: 'bad_file',
  E_PICKLE_REFUSED: 'bad_file',
  E_BAD_IMAGE: 'bad_file',
  E_BUSY: 'conflict',
  E_HOST_START_FAILED: 'unavailable',
  E_HOST_CRASHED: 'unavailable',
  E_HOST_STOPPED: 'unavailable',
};

const INTERNAL_HINT = 'This is a bug in MagiCapture Studio; the log has the details. Please report it.';

/**
 * Any thrown value as an API error. Errors of our own layers keep their message and hint; anything else (a
 * TypeError, an SQLite failure) becomes `internal` without its message, which may hold paths or SQL.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown; hint?: unknown };
  const code = typeof e.code === 'string' && Object.hasOwn(CODE_MAP, e.code) ? (CODE_MAP[e.code] as ApiErrorCode) : undefined;
  if (code === undefined || typeof e.message !== 'string') return new ApiError('internal', 'the studio failed to handle the request', INTERNAL_HINT);
  return new ApiError(code, e.message, typeof e.hint === 'string' ? e.hint : '');
}

/** Reads an error body that arrived over a transport back into an ApiError (the renderer's bridge, the CLI). */
export function fromErrorBody(body: unknown, fallbackMessage: string): ApiError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Partial<Record<keyof ApiErrorBody, unknown>>;
  const code = typeof b.code === 'string' && (API_ERROR_CODES as string[]).includes(b.code) ? (b.code as ApiErrorCode) : 'internal';
  return new ApiError(code, typeof b.message === 'string' ? b.message : fallbackMessage, typeof b.hint === 'string' ? b.hint : '');
}
