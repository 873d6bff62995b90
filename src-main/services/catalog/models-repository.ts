// Installed models (base checkpoints, face and restoration models, …): where each file is, its hash, its
// licence and whether that licence allows commercial use, so a paid delivery never depends on a
// non-commercial model without the photographer being told.
import { isAbsolute } from 'node:path';

import type BetterSqlite3 from 'better-sqlite3';

import { guarded, notFound } from './catalog-error.js';
import { bool, fields, id as checkId, invalid, oneOf, sha256, text } from './validate.js';

export const MODEL_PURPOSES = [
  'base',
  'vae',
  'lora',
  'face_detection',
  'face_landmarks',
  'face_parsing',
  'face_recognition',
  'restoration',
  'super_resolution',
  'other',
] as const;
export type ModelPurpose = (typeof MODEL_PURPOSES)[number];

export interface InstalledModel {
  id: number;
  name: string;
  purpose: ModelPurpose;
  path: string;
  sha256: string;
  licence: string;
  commercialUse: boolean;
  installedAt: number;
}

export type NewInstalledModel = Omit<InstalledModel, 'id' | 'installedAt'>;

interface ModelRow {
  id: number;
  name: string;
  purpose: ModelPurpose;
  path: string;
  sha256: string;
  licence: string;
  commercial_use: number;
  installed_at: number;
}

function toModel(row: ModelRow): InstalledModel {
  return {
    id: row.id,
    name: row.name,
    purpose: row.purpose,
    path: row.path,
    sha256: row.sha256,
    licence: row.licence,
    commercialUse: row.commercial_use === 1,
    installedAt: row.installed_at,
  };
}

function checkPath(value: unknown): string {
  const path = text(value, 'path', { max: 4096 });
  if (!isAbsolute(path)) throw invalid('path', 'an absolute path to the model file', value);
  return path;
}

export class ModelsRepository {
  private readonly insertRow;
  private readonly selectOne;
  private readonly selectByName;
  private readonly selectAll;
  private readonly selectByPurpose;
  private readonly deleteRow;

  constructor(db: BetterSqlite3.Database) {
    this.insertRow = db.prepare<unknown[], ModelRow>(
      `INSERT INTO installed_models (name, purpose, path, sha256, licence, commercial_use, installed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    );
    this.selectOne = db.prepare<[number], ModelRow>('SELECT * FROM installed_models WHERE id = ?');
    this.selectByName = db.prepare<[string], ModelRow>('SELECT * FROM installed_models WHERE name = ?');
    this.selectAll = db.prepare<[], ModelRow>('SELECT * FROM installed_models ORDER BY purpose, name');
    this.selectByPurpose = db.prepare<[string], ModelRow>('SELECT * FROM installed_models WHERE purpose = ? ORDER BY name');
    this.deleteRow = db.prepare<[number]>('DELETE FROM installed_models WHERE id = ?');
  }

  install(input: NewInstalledModel): InstalledModel {
    const f = fields(input, 'installed model', ['name', 'purpose', 'path', 'sha256', 'licence', 'commercialUse']);
    const values = [
      text(f['name'], 'name', { max: 200 }),
      oneOf(f['purpose'], 'purpose', MODEL_PURPOSES),
      checkPath(f['path']),
      sha256(f['sha256'], 'sha256'),
      text(f['licence'], 'licence', { max: 200 }),
      bool(f['commercialUse'], 'commercialUse') ? 1 : 0,
    ];
    return toModel(guarded(`install model "${String(values[0])}"`, () => this.insertRow.get(...values, Date.now()) as ModelRow));
  }

  get(id: number): InstalledModel {
    const row = this.selectOne.get(checkId(id, 'model id'));
    if (!row) throw notFound('model', id);
    return toModel(row);
  }

  getByName(name: string): InstalledModel {
    const row = this.selectByName.get(text(name, 'name', { max: 200 }));
    if (!row) throw notFound('model', JSON.stringify(name));
    return toModel(row);
  }

  list(purpose?: ModelPurpose): InstalledModel[] {
    const rows = purpose === undefined ? this.selectAll.all() : this.selectByPurpose.all(oneOf(purpose, 'purpose', MODEL_PURPOSES));
    return rows.map(toModel);
  }

  /** Forgets the model (its file, outside the library, is the photographer's to delete). */
  remove(id: number): void {
    if (this.deleteRow.run(checkId(id, 'model id')).changes === 0) throw notFound('model', id);
  }
}
