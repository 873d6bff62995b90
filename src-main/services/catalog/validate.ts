// Run-time checks for everything that enters the catalog. The TypeScript types say what callers should pass;
// these say what they did pass, because requests arrive over IPC, HTTP and the CLI as untyped JSON. Every
// failure is a CatalogError('invalid') reading "expected <field> to be …, received …".
import { CatalogError } from './catalog-error.js';

export type Fields = Record<string, unknown>;

/** A short, safe rendering of a received value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return `${typeof value} ${String(value)}`;
}

export function invalid(field: string, expected: string, received: unknown): CatalogError {
  return new CatalogError('invalid', `expected ${field} to be ${expected}, received ${describe(received)}`);
}

/** A plain object with only the listed keys: a misspelt field is an error, not a silently ignored value. */
export function fields(value: unknown, what: string, allowed: readonly string[]): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(what, 'an object', value);
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new CatalogError('invalid', `unexpected field ${unknown.map((k) => `"${k}"`).join(', ')} in ${what}; allowed: ${allowed.join(', ')}`);
  }
  return value as Fields;
}

export function id(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw invalid(field, 'a positive integer id', value);
  return value;
}

export function optionalId(value: unknown, field: string): number | null {
  return value === undefined || value === null ? null : id(value, field);
}

export interface TextLimits {
  min?: number;
  max?: number;
  pattern?: RegExp;
  patternText?: string;
}

export function text(value: unknown, field: string, { min = 1, max = 500, pattern, patternText }: TextLimits = {}): string {
  const expected = patternText ?? (min > 0 ? `text of ${min} to ${max} characters` : `text of at most ${max} characters`);
  if (typeof value !== 'string' || value.length > max || value.trim().length < min) throw invalid(field, expected, value);
  if (pattern && !pattern.test(value)) throw invalid(field, expected, value);
  return value;
}

export function optionalText(value: unknown, field: string, limits: TextLimits = {}): string | null {
  return value === undefined || value === null ? null : text(value, field, limits);
}

export function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(field, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

export function optionalInteger(value: unknown, field: string, min: number, max: number): number | null {
  return value === undefined || value === null ? null : integer(value, field, min, max);
}

export function number(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw invalid(field, `a number from ${min} to ${max}`, value);
  }
  return value;
}

export function bool(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw invalid(field, 'true or false', value);
  return value;
}

export function oneOf<T extends string>(value: unknown, field: string, options: readonly T[]): T {
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) {
    throw invalid(field, `one of ${options.join(', ')}`, value);
  }
  return value as T;
}

const SHA256 = /^[0-9a-f]{64}$/;

export function sha256(value: unknown, field: string): string {
  if (typeof value !== 'string' || !SHA256.test(value)) throw invalid(field, 'a SHA-256 hash (64 lowercase hex digits)', value);
  return value;
}

export function optionalSha256(value: unknown, field: string): string | null {
  return value === undefined || value === null ? null : sha256(value, field);
}

/** Milliseconds since the Unix epoch, as Date.now() returns. */
export function timestamp(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(field, 'a time in milliseconds since 1970 (Date.now())', value);
  }
  return value;
}

export function optionalTimestamp(value: unknown, field: string): number | null {
  return value === undefined || value === null ? null : timestamp(value, field);
}

const MAX_JSON_CHARS = 1_000_000;

/** Serialises a JSON column; refuses what JSON.stringify would silently drop or mangle (functions, NaN, cycles). */
export function json(value: unknown, field: string, shape: 'object' | 'array' | 'any' = 'object'): string {
  const ok = shape === 'any' || (shape === 'array' ? Array.isArray(value) : typeof value === 'object' && value !== null && !Array.isArray(value));
  if (!ok) throw invalid(field, shape === 'array' ? 'a JSON array' : 'a JSON object', value);
  let serialised: string | undefined;
  try {
    serialised = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(String(v));
      if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') throw new Error(typeof v);
      return v;
    });
  } catch (error) {
    throw invalid(field, 'plain JSON (no functions, NaN, Infinity or cycles)', (error as Error).message);
  }
  if (serialised === undefined || serialised.length > MAX_JSON_CHARS) throw invalid(field, `JSON of at most ${MAX_JSON_CHARS} characters`, value);
  return serialised;
}

export function optionalJson(value: unknown, field: string, shape: 'object' | 'array' | 'any' = 'object'): string | null {
  return value === undefined || value === null ? null : json(value, field, shape);
}

/** Reads back a JSON column the catalog wrote itself; trusted, so no validation. */
export function parseJson<T>(column: string | null): T | null {
  return column === null ? null : (JSON.parse(column) as T);
}
