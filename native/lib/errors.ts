// Typed engine errors: every failure that reaches a caller has a stable code, a message saying what was
// expected and what was received, and a hint saying what to do. Codes mirror native/src/core/error.h.

export type EngineErrorCode =
  | 'E_BAD_ARGUMENT'
  | 'E_FILE_NOT_FOUND'
  | 'E_BAD_CHECKPOINT'
  | 'E_UNSUPPORTED_FORMAT'
  | 'E_PICKLE_REFUSED'
  | 'E_DEVICE'
  | 'E_CANCELLED'
  | 'E_OUT_OF_MEMORY'
  | 'E_INTERNAL';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly hint = '',
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** Re-types an error thrown by the addon (a plain Error with code and hint properties). */
export function fromNative(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  const e = error as { code?: unknown; message?: unknown; hint?: unknown };
  const code = typeof e.code === 'string' && e.code.startsWith('E_') ? (e.code as EngineErrorCode) : 'E_INTERNAL';
  const message = typeof e.message === 'string' ? e.message : String(error);
  return new EngineError(code, message, typeof e.hint === 'string' ? e.hint : '');
}

export function badArgument(message: string, hint = ''): EngineError {
  return new EngineError('E_BAD_ARGUMENT', message, hint);
}

/** "expected X, received Y" with Y rendered compactly. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
