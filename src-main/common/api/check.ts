// Run-time checks for API params, on top of the protocol's "expected …, received …" helpers. Params arrive as
// untyped JSON from a renderer, a browser or a script; every check here throws before anything is changed.
import { describeValue, fail, integer, oneOf, record, ValidationError } from '../protocol/validate.js';
import { ApiError } from './errors.js';

export { fail, integer, list, oneOf, optional, record } from '../protocol/validate.js';

/** The params object with only the listed keys: a misspelt field is an error, never silently ignored. */
export function params(value: unknown, method: string, allowed: readonly string[]): Record<string, unknown> {
  const p = record(value === undefined || value === null ? {} : value, `the params of ${method}`);
  return only(p, `the params of ${method}`, allowed);
}

/** A nested object with only the listed keys. */
export function object(value: unknown, path: string, allowed: readonly string[]): Record<string, unknown> {
  return only(record(value, path), path, allowed);
}

function only(value: Record<string, unknown>, path: string, allowed: readonly string[]): Record<string, unknown> {
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    const names = unknown.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 40)));
    const list = allowed.length > 0 ? `allowed: ${allowed.join(', ')}` : 'it takes none';
    throw new ValidationError('E_BAD_ARGUMENT', `unexpected field ${names.join(', ')} in ${path}; ${list}`);
  }
  return value;
}

/** A refusal that is not about one field ("expected paths or uploads, received neither"). */
export function refuse(message: string): never {
  throw new ValidationError('E_BAD_ARGUMENT', message);
}

export function id(value: unknown, path: string): number {
  return integer(value, path, 1, Number.MAX_SAFE_INTEGER);
}

export function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(path, 'true or false', value);
  return value;
}

export function number(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) fail(path, `a number from ${min} to ${max}`, value);
  return value;
}

/** Text of min to max characters, no NUL; `min: 0` allows the empty string. */
export function text(value: unknown, path: string, max: number, min = 1): string {
  if (typeof value !== 'string' || value.length > max || value.trim().length < min || value.includes('\0')) {
    fail(path, min > 0 ? `text of ${min} to ${max} characters` : `text of at most ${max} characters`, value);
  }
  return value;
}

function hasControlCharacter(value: string): boolean {
  return [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

function unsafe(path: string, expected: string, value: unknown): never {
  throw new ApiError('unsafe_path', `expected ${path} to be ${expected}, received ${describeValue(value)}`, 'Choose the name or file again.');
}

/**
 * A name a person gave (a client, a project, an uploaded file). Names end up in file names on export and in
 * folder names, so "/", "\\" and ".." are refused rather than cleaned up: what is stored is exactly what was given.
 */
export function name(value: unknown, path: string, max = 200): string {
  const n = text(value, path, max);
  if (/[/\\]/.test(n) || /^\s*\.{1,2}\s*$/.test(n) || hasControlCharacter(n)) {
    unsafe(path, `a name without "/", "\\", ".." or control characters`, value);
  }
  return n;
}

/**
 * An absolute path on the studio's machine, as written (no "." or ".." segments, no NUL): the studio reads or
 * writes exactly there, so a path that climbs out of where it points is refused, not resolved.
 */
export function absolutePath(value: unknown, path: string): string {
  const p = text(value, path, 4096);
  const absolute = p.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(p) || p.startsWith('\\\\');
  if (!absolute) unsafe(path, 'an absolute path (like /home/anna/photos/a.jpg)', value);
  if (p.split(/[/\\]/).some((segment) => segment === '..' || segment === '.') || hasControlCharacter(p)) {
    unsafe(path, 'an absolute path without "." or ".." segments or control characters', value);
  }
  return p;
}

const SHA256 = /^[0-9a-f]{64}$/;

export function sha256(value: unknown, path: string): string {
  if (typeof value !== 'string' || !SHA256.test(value)) fail(path, 'a SHA-256 hash (64 lowercase hex digits)', value);
  return value;
}

/** Milliseconds since 1970, as Date.now() returns. */
export function timestamp(value: unknown, path: string): number {
  return integer(value, path, 0, 8_640_000_000_000_000);
}

export function ids(value: unknown, path: string, max: number): number[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > max) fail(path, `a list of 1 to ${max} ids`, value);
  const checked = value.map((v, i) => id(v, `${path}[${i}]`));
  if (new Set(checked).size !== checked.length) fail(path, 'a list without repeats', value);
  return checked;
}

/** Sets `key` on `target` only when the value is present, so optional fields stay absent (exactOptionalPropertyTypes). */
export function set<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

export function optionalOneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T | undefined {
  return value === undefined ? undefined : oneOf(value, path, allowed);
}
