// Numbered SQL migrations: migrations/NNN_name.sql, applied in order, each in its own transaction together with
// its row in schema_version, so a failure leaves the catalog at the previous version and nothing half-applied.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type BetterSqlite3 from 'better-sqlite3';

import { CatalogError } from './catalog-error.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE = /^(\d{3})_([a-z0-9_]+)\.sql$/;
const here = dirname(fileURLToPath(import.meta.url));

/**
 * The migrations folder beside this file; from the compiled dist/ tree (tsc does not copy .sql files) the
 * same folder in the source tree, found by walking up to the repository root.
 */
export function migrationsDir(): string {
  const beside = join(here, 'migrations');
  if (existsSync(beside)) return beside;
  for (let dir = here; dirname(dir) !== dir; dir = dirname(dir)) {
    const candidate = join(dir, 'src-main', 'services', 'catalog', 'migrations');
    if (existsSync(candidate)) return candidate;
  }
  throw new CatalogError('schema', `the catalog migrations are missing: expected ${beside}`, 'Reinstall MagiCapture Studio.');
}

export function loadMigrations(dir = migrationsDir()): Migration[] {
  const migrations = readdirSync(dir)
    .map((file) => ({ file, match: FILE.exec(file) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ file, match }) => ({ version: Number(match[1]), name: match[2] as string, sql: readFileSync(join(dir, file), 'utf8') }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new CatalogError('schema', `expected migration ${index + 1} in ${dir}, received ${migration.version}_${migration.name}`);
    }
  });
  return migrations;
}

export function schemaVersion(db: BetterSqlite3.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  return (db.prepare('SELECT coalesce(max(version), 0) FROM schema_version').pluck().get() as number) ?? 0;
}

/** Brings the catalog up to the newest migration; returns the versions applied (none when already current). */
export function migrate(db: BetterSqlite3.Database, migrations = loadMigrations()): number[] {
  const current = schemaVersion(db);
  const latest = migrations.length;
  if (current > latest) {
    throw new CatalogError(
      'schema',
      `expected a catalog at schema version ${latest} or older, received version ${current}`,
      'This library was opened by a newer MagiCapture Studio; update the app before opening it.',
    );
  }
  const record = db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const migration of migrations.slice(current)) {
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
    }).immediate();
    applied.push(migration.version);
  }
  if (applied.length > 0) {
    const violations = db.pragma('foreign_key_check') as unknown[];
    if (violations.length > 0) throw new CatalogError('schema', `a migration left ${violations.length} broken references`);
  }
  return applied;
}
