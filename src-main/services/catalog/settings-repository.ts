// Application settings as key → JSON value. Keys are dotted names ("export.jpegQuality"); values are any JSON.
import type BetterSqlite3 from 'better-sqlite3';

import { json, text } from './validate.js';

const KEY = { max: 100, pattern: /^[a-z][a-zA-Z0-9_]*(\.[a-zA-Z0-9_]+)*$/, patternText: 'a dotted setting name like export.jpegQuality' };

export class SettingsRepository {
  private readonly selectOne;
  private readonly selectAll;
  private readonly upsertRow;
  private readonly deleteRow;

  constructor(db: BetterSqlite3.Database) {
    this.selectOne = db.prepare<[string], string>('SELECT value FROM settings WHERE key = ?').pluck();
    this.selectAll = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings ORDER BY key');
    this.upsertRow = db.prepare<[string, string, number]>(
      'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    );
    this.deleteRow = db.prepare<[string]>('DELETE FROM settings WHERE key = ?');
  }

  /** The stored value, or `fallback` when the setting was never written. */
  get<T>(key: string, fallback?: T): T | undefined {
    const value = this.selectOne.get(text(key, 'setting key', KEY));
    return value === undefined ? fallback : (JSON.parse(value) as T);
  }

  set(key: string, value: unknown): void {
    this.upsertRow.run(text(key, 'setting key', KEY), json(value, `setting ${key}`, 'any'), Date.now());
  }

  delete(key: string): void {
    this.deleteRow.run(text(key, 'setting key', KEY));
  }

  all(): Record<string, unknown> {
    return Object.fromEntries(this.selectAll.all().map(({ key, value }) => [key, JSON.parse(value) as unknown]));
  }
}
