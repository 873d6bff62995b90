// The one error type the catalog throws. Callers branch on `code`, people read `message` ("expected …,
// received …") and `hint` (what to do). SQLite's own constraint errors are re-typed here so that nothing
// above the catalog ever has to parse an SQLite message.
import { CodedError } from '../../common/coded-error.js';

export type CatalogErrorCode = 'not_found' | 'invalid' | 'conflict' | 'schema';

export class CatalogError extends CodedError<CatalogErrorCode> {}

export function notFound(entity: string, id: unknown): CatalogError {
  return new CatalogError('not_found', `${entity} ${String(id)} does not exist`, 'It may have been deleted; reload the list.');
}

/** Re-types better-sqlite3's SqliteError (code SQLITE_CONSTRAINT_*) as a CatalogError; passes anything else through. */
export function fromSqlite(error: unknown, what: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_CONSTRAINT')) return error;
  const detail = (error as Error).message;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new CatalogError('conflict', `${what}: an entry with the same key already exists (${detail})`);
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new CatalogError('not_found', `${what}: it refers to something that does not exist`);
  }
  return new CatalogError('invalid', `${what}: ${detail}`);
}

/** Runs a write and re-types constraint failures, so callers see CatalogError codes only. */
export function guarded<T>(what: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    throw fromSqlite(error, what);
  }
}
