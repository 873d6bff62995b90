// How the contract describes one method at run time: its params check, its size limit and what it changes.
import { id, params } from '../check.js';

/** What a successful call changed, announced to every window and browser as a catalog-changed event. */
export const CATALOG_ENTITIES = ['clients', 'projects', 'photos', 'masks', 'trainingRuns', 'generations', 'exports', 'jobs', 'settings'] as const;
export type CatalogEntity = (typeof CATALOG_ENTITIES)[number];

export interface MethodRules<P> {
  /** Returns the params as the handler receives them, or throws "expected …, received …". */
  check(params: unknown): P;
  /** Largest request body in bytes (default MAX_REQUEST_BYTES). */
  maxBytes?: number;
  /** Absent for calls that only read. */
  changes?: CatalogEntity;
}

/** A method whose only param is one id, e.g. { clientId: 3 }. */
export function byId<K extends string>(method: string, key: K, changes?: CatalogEntity): MethodRules<{ [P in K]: number }> {
  const rules: MethodRules<{ [P in K]: number }> = {
    check: (value) => ({ [key]: id(params(value, method, [key])[key], key) }) as { [P in K]: number },
  };
  if (changes !== undefined) rules.changes = changes;
  return rules;
}

/** A method that takes no params ({} or nothing). */
export function none(method: string): MethodRules<Record<string, never>> {
  return { check: (value) => (params(value, method, []), {}) };
}
