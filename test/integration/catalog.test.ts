// The catalog on a real SQLite file: migrations, the people-facing repositories (clients, projects, consents,
// settings, models) and the promise that a refused write changes nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { CatalogError, loadMigrations, openCatalog, type Catalog } from '../../src-main/services/catalog/index.js';
import { migrate, schemaVersion } from '../../src-main/services/catalog/migrations.js';

let dir: string;
let catalog: Catalog;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'magicapture-catalog-'));
  catalog = openCatalog(join(dir, 'catalog.sqlite'));
});

afterEach(() => {
  catalog.close();
  rmSync(dir, { recursive: true, force: true });
});

function caught(work: () => unknown): CatalogError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogError);
    return error as CatalogError;
  }
  throw new Error('expected a CatalogError');
}

describe('migrations', () => {
  it('builds the schema from an empty file, with WAL and foreign keys on', () => {
    const latest = loadMigrations().length;
    expect(catalog.applied).toEqual(Array.from({ length: latest }, (_, i) => i + 1));
    expect(catalog.schemaVersion).toBe(latest);
    expect(catalog.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(catalog.db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = catalog.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    for (const table of ['clients', 'projects', 'photos', 'masks', 'landmarks', 'training_runs', 'training_outputs', 'generations', 'exports', 'consents', 'settings', 'installed_models', 'jobs', 'blobs']) {
      expect(tables).toContain(table);
    }
  });

  it('re-opening applies nothing and keeps the data', () => {
    const client = catalog.clients.create({ name: 'Ada Lovelace' });
    catalog.close();
    catalog = openCatalog(join(dir, 'catalog.sqlite'));
    expect(catalog.applied).toEqual([]);
    expect(catalog.clients.get(client.id)).toEqual(client);
    expect(catalog.db.prepare('SELECT count(*) FROM schema_version').pluck().get()).toBe(loadMigrations().length);
  });

  it('refuses a catalog written by a newer version of the app', () => {
    catalog.db.prepare("INSERT INTO schema_version (version, name, applied_at) VALUES (999, 'future', 0)").run();
    catalog.close();
    const error = caught(() => openCatalog(join(dir, 'catalog.sqlite')));
    expect(error.code).toBe('schema');
    expect(error.message).toMatch(/expected a catalog at schema version \d+ or older, received version 999/);
    catalog = openCatalog(join(dir, 'other.sqlite'));
  });

  it('a failing migration leaves the file at the previous version', () => {
    const db = new Database(join(dir, 'broken.sqlite'));
    const good = { version: 1, name: 'one', sql: 'CREATE TABLE a (x INTEGER);' };
    const bad = { version: 2, name: 'two', sql: 'CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);' };
    expect(() => migrate(db, [good, bad])).toThrow(/no such table: nowhere/);
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'b'").pluck().get()).toBe(0);
    expect(migrate(db, [good])).toEqual([]);
    db.close();
  });
});

describe('clients and projects', () => {
  it('create, read, update, list', () => {
    const ada = catalog.clients.create({ name: 'Ada Lovelace', email: 'ada@example.com' });
    const bob = catalog.clients.create({ name: 'bob', notes: 'prefers warm light' });
    expect(ada).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.com', phone: null, notes: '' });
    expect(catalog.clients.list().map((c) => c.name)).toEqual(['Ada Lovelace', 'bob']);
    const updated = catalog.clients.update(bob.id, { phone: '+44 20 7946 0000' });
    expect(updated).toMatchObject({ name: 'bob', phone: '+44 20 7946 0000', notes: 'prefers warm light' });
    expect(updated.updatedAt).toBeGreaterThanOrEqual(bob.updatedAt);

    const project = catalog.projects.create({ clientId: ada.id, name: 'Spring headshots' });
    expect(project).toMatchObject({ clientId: ada.id, subjectToken: '<sks>', styleToken: '<style1>' });
    expect(catalog.projects.update(project.id, { styleToken: '<noir>' }).styleToken).toBe('<noir>');
    expect(catalog.projects.listByClient(ada.id)).toHaveLength(1);
    expect(catalog.projects.listByClient(bob.id)).toEqual([]);
  });

  it('unknown ids are a typed not_found', () => {
    expect(caught(() => catalog.clients.get(42))).toMatchObject({ code: 'not_found', message: 'client 42 does not exist' });
    expect(caught(() => catalog.projects.create({ clientId: 42, name: 'x' })).code).toBe('not_found');
    expect(caught(() => catalog.clients.update(42, { name: 'x' })).code).toBe('not_found');
    expect(caught(() => catalog.clients.delete(42)).code).toBe('not_found');
  });

  it('bad input is refused with "expected …, received …" and changes nothing', () => {
    const ada = catalog.clients.create({ name: 'Ada' });
    const cases: [() => unknown, RegExp][] = [
      [() => catalog.clients.create({ name: '   ' }), /expected name to be text of 1 to 200 characters, received "   "/],
      [() => catalog.clients.create({} as never), /expected name to be text of 1 to 200 characters, received nothing/],
      [() => catalog.clients.create({ name: 'x', email: 'not-an-email' }), /expected email to be an e-mail address like name@example.com, received "not-an-email"/],
      [() => catalog.clients.create({ name: 'x', nmae: 'typo' } as never), /unexpected field "nmae" in new client/],
      [() => catalog.clients.update(ada.id, { name: 7 } as never), /expected name to be text .*, received number 7/],
      [() => catalog.clients.get('1' as never), /expected client id to be a positive integer id, received "1"/],
      [() => catalog.projects.create({ clientId: ada.id, name: 'p', subjectToken: 'sks' }), /expected subjectToken to be a token like <sks>/],
      [() => catalog.projects.create({ clientId: ada.id, name: 'p', styleToken: '<sks>' }), /a token different from the subject token <sks>/],
    ];
    for (const [work, message] of cases) {
      const error = caught(work);
      expect(error.code).toBe('invalid');
      expect(error.message).toMatch(message);
    }
    expect(catalog.clients.list()).toEqual([ada]);
    expect(catalog.projects.listByClient(ada.id)).toEqual([]);
  });
});

describe('consents, settings, installed models', () => {
  it('consent records: scope, expiry, release, revoke', () => {
    const ada = catalog.clients.create({ name: 'Ada' });
    const signedAt = Date.UTC(2025, 0, 10);
    const year = 365 * 24 * 3600 * 1000;
    const consent = catalog.consents.create({ clientId: ada.id, signedBy: 'Ada Lovelace', signedAt, scope: ['training', 'portfolio', 'training'], expiresAt: signedAt + year });
    expect(consent.scope).toEqual(['training', 'portfolio']);
    expect(catalog.consents.allows(ada.id, 'training', signedAt + 1000)).toBe(true);
    expect(catalog.consents.allows(ada.id, 'marketing', signedAt + 1000)).toBe(false);
    expect(catalog.consents.allows(ada.id, 'training', signedAt + 2 * year)).toBe(false);
    catalog.consents.revoke(consent.id, signedAt + 2000);
    expect(catalog.consents.allows(ada.id, 'training', signedAt + 3000)).toBe(false);
    expect(caught(() => catalog.consents.revoke(consent.id)).code).toBe('conflict');
    expect(caught(() => catalog.consents.create({ clientId: ada.id, signedBy: 'Ada', signedAt, scope: ['selling' as never] })).message).toMatch(
      /expected scope\[0\] to be one of training, generation, portfolio, marketing, social_media, received "selling"/,
    );
    expect(caught(() => catalog.consents.create({ clientId: ada.id, signedBy: 'Ada', signedAt, scope: ['training'], expiresAt: signedAt - 1 })).message).toMatch(
      /expected expiresAt to be a time after signedAt/,
    );
    expect(caught(() => catalog.consents.create({ clientId: ada.id, signedBy: 'Ada', signedAt, scope: ['training'], releaseBlob: 'a'.repeat(64) })).code).toBe('not_found');
    expect(catalog.consents.listByClient(ada.id)).toHaveLength(1);
  });

  it('settings hold JSON values by key', () => {
    expect(catalog.settings.get('export.jpegQuality', 90)).toBe(90);
    catalog.settings.set('export.jpegQuality', 95);
    catalog.settings.set('ui.theme', { dark: true });
    expect(catalog.settings.get('export.jpegQuality')).toBe(95);
    expect(catalog.settings.all()).toEqual({ 'export.jpegQuality': 95, 'ui.theme': { dark: true } });
    expect(caught(() => catalog.settings.set('../evil', 1)).code).toBe('invalid');
    expect(caught(() => catalog.settings.set('ui.x', Number.NaN)).message).toMatch(/plain JSON/);
    catalog.settings.delete('ui.theme');
    expect(catalog.settings.get('ui.theme')).toBeUndefined();
  });

  it('installed models record licence and commercial use; names are unique', () => {
    const model = { name: 'sd15', purpose: 'base' as const, path: '/models/sd15.safetensors', sha256: 'b'.repeat(64), licence: 'CreativeML OpenRAIL-M', commercialUse: true };
    const installed = catalog.models.install(model);
    expect(catalog.models.getByName('sd15')).toEqual(installed);
    expect(caught(() => catalog.models.install(model)).code).toBe('conflict');
    expect(caught(() => catalog.models.install({ ...model, name: 'x', path: 'relative/x.safetensors' })).message).toMatch(/absolute path/);
    catalog.models.install({ ...model, name: 'codeformer', purpose: 'restoration', commercialUse: false, licence: 'S-Lab 1.0' });
    expect(catalog.models.list('restoration').map((m) => m.commercialUse)).toEqual([false]);
    catalog.models.remove(installed.id);
    expect(catalog.models.list().map((m) => m.name)).toEqual(['codeformer']);
  });
});
