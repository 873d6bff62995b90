// Run-time checks for values that crossed a process boundary. Every failure says what was expected, where, and
// what arrived, so a bad message from the broker reads like a bad argument to a function call.
import { CodedError } from '../coded-error.js';
import type { HostErrorCode } from './errors.js';

export class ValidationError extends CodedError<HostErrorCode> {}

/** A compact rendering of a received value for "received ..." messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of ${value.byteLength} bytes`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}

export function fail(path: string, expected: string, received: unknown): never {
  throw new ValidationError('E_BAD_ARGUMENT', `expected ${path} to be ${expected}, received ${describeValue(received)}`);
}

export function record(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) {
    fail(path, 'an object', value);
  }
  return value as Record<string, unknown>;
}

export function text(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.includes('\0')) fail(path, 'a non-empty string', value);
  return value;
}

export function integer(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(path, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

export function finite(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'a finite number', value);
  return value;
}

export function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(path, `one of ${allowed.join(', ')}`, value);
  }
  return value as T;
}

export function bytes(value: unknown, path: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.byteLength === 0) fail(path, 'a non-empty Uint8Array', value);
  return value;
}

/** Runs check only when the value is present, so optional fields stay absent instead of becoming undefined. */
export function optional<T>(value: unknown, check: (v: unknown) => T): T | undefined {
  return value === undefined ? undefined : check(value);
}

export function list<T>(value: unknown, path: string, min: number, max: number, item: (v: unknown, p: string) => T): T[] {
  if (!Array.isArray(value) || value.length < min || value.length > max) {
    fail(path, `an array of ${min} to ${max} items`, value);
  }
  return value.map((v, i) => item(v, `${path}[${i}]`));
}
