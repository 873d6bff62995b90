// Face masks of a photo, versioned: every save is a new version (an undo history the photographer can return
// to), made automatically by a named model or edited by hand from an earlier version.
import type BetterSqlite3 from 'better-sqlite3';

import { guarded, notFound } from './catalog-error.js';
import { fields, id as checkId, invalid, oneOf, optionalText, sha256 } from './validate.js';

export const MASK_ORIGINS = ['auto', 'edited'] as const;
export type MaskOrigin = (typeof MASK_ORIGINS)[number];

export interface Mask {
  id: number;
  photoId: number;
  version: number;
  origin: MaskOrigin;
  /** The model that made an automatic mask (e.g. "bisenet-face-parsing"); the base mask's model for edits. */
  model: string | null;
  blob: string;
  createdAt: number;
}

export interface NewMask {
  photoId: number;
  origin: MaskOrigin;
  model?: string | null;
  blob: string;
}

interface MaskRow {
  id: number;
  photo_id: number;
  version: number;
  origin: MaskOrigin;
  model: string | null;
  blob: string;
  created_at: number;
}

function toMask(row: MaskRow): Mask {
  return { id: row.id, photoId: row.photo_id, version: row.version, origin: row.origin, model: row.model, blob: row.blob, createdAt: row.created_at };
}

export class MasksRepository {
  private readonly insertRow;
  private readonly selectOne;
  private readonly selectByPhoto;
  private readonly selectLatest;
  private readonly photoExists;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.insertRow = db.prepare<[number, number, string, string | null, string, number], MaskRow>(
      `INSERT INTO masks (photo_id, version, origin, model, blob, created_at)
       VALUES (?, (SELECT coalesce(max(version), 0) + 1 FROM masks WHERE photo_id = ?), ?, ?, ?, ?) RETURNING *`,
    );
    this.selectOne = db.prepare<[number], MaskRow>('SELECT * FROM masks WHERE id = ?');
    this.selectByPhoto = db.prepare<[number], MaskRow>('SELECT * FROM masks WHERE photo_id = ? ORDER BY version');
    this.selectLatest = db.prepare<[number], MaskRow>('SELECT * FROM masks WHERE photo_id = ? ORDER BY version DESC LIMIT 1');
    this.photoExists = db.prepare<[number], number>('SELECT 1 FROM photos WHERE id = ?').pluck();
  }

  /** Saves a new version (1, 2, …) of the photo's mask. */
  create(input: NewMask): Mask {
    const f = fields(input, 'new mask', ['photoId', 'origin', 'model', 'blob']);
    const photoId = checkId(f['photoId'], 'photoId');
    const origin = oneOf(f['origin'], 'origin', MASK_ORIGINS);
    const model = optionalText(f['model'], 'model', { max: 200 });
    if (origin === 'auto' && model === null) throw invalid('model', 'the name of the model that made an automatic mask', f['model']);
    const blob = sha256(f['blob'], 'blob');
    return this.db.transaction(() => {
      if (!this.photoExists.get(photoId)) throw notFound('photo', photoId);
      return toMask(guarded('save mask', () => this.insertRow.get(photoId, photoId, origin, model, blob, Date.now()) as MaskRow));
    })();
  }

  get(id: number): Mask {
    const row = this.selectOne.get(checkId(id, 'mask id'));
    if (!row) throw notFound('mask', id);
    return toMask(row);
  }

  listByPhoto(photoId: number): Mask[] {
    return this.selectByPhoto.all(checkId(photoId, 'photoId')).map(toMask);
  }

  latest(photoId: number): Mask | undefined {
    const row = this.selectLatest.get(checkId(photoId, 'photoId'));
    return row && toMask(row);
  }
}
