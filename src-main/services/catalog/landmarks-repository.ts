// Facial landmarks of a photo, one set per detector model (re-running a model replaces its set), in pixel
// coordinates of the photo's processing copy.
import type BetterSqlite3 from 'better-sqlite3';

import { guarded, notFound } from './catalog-error.js';
import { fields, id as checkId, invalid, json, text } from './validate.js';

export type Point = [x: number, y: number] | [x: number, y: number, z: number];

export interface Landmarks {
  id: number;
  photoId: number;
  model: string;
  points: Point[];
  createdAt: number;
}

export interface NewLandmarks {
  photoId: number;
  model: string;
  points: Point[];
}

interface LandmarksRow {
  id: number;
  photo_id: number;
  model: string;
  points: string;
  created_at: number;
}

function toLandmarks(row: LandmarksRow): Landmarks {
  return { id: row.id, photoId: row.photo_id, model: row.model, points: JSON.parse(row.points) as Point[], createdAt: row.created_at };
}

function checkPoints(value: unknown): Point[] {
  const isPoint = (p: unknown) =>
    Array.isArray(p) && (p.length === 2 || p.length === 3) && p.every((c) => typeof c === 'number' && Number.isFinite(c));
  if (!Array.isArray(value) || value.length === 0 || value.length > 10_000 || !value.every(isPoint)) {
    throw invalid('points', 'a list of 1 to 10000 [x, y] or [x, y, z] number pairs', value);
  }
  return value as Point[];
}

export class LandmarksRepository {
  private readonly upsertRow;
  private readonly selectByPhoto;
  private readonly selectOne;
  private readonly photoExists;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.upsertRow = db.prepare<[number, string, string, number], LandmarksRow>(
      `INSERT INTO landmarks (photo_id, model, points, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (photo_id, model) DO UPDATE SET points = excluded.points, created_at = excluded.created_at RETURNING *`,
    );
    this.selectByPhoto = db.prepare<[number], LandmarksRow>('SELECT * FROM landmarks WHERE photo_id = ? ORDER BY model');
    this.selectOne = db.prepare<[number, string], LandmarksRow>('SELECT * FROM landmarks WHERE photo_id = ? AND model = ?');
    this.photoExists = db.prepare<[number], number>('SELECT 1 FROM photos WHERE id = ?').pluck();
  }

  /** Stores the model's landmarks for the photo, replacing that model's earlier set. */
  set(input: NewLandmarks): Landmarks {
    const f = fields(input, 'landmarks', ['photoId', 'model', 'points']);
    const photoId = checkId(f['photoId'], 'photoId');
    const model = text(f['model'], 'model', { max: 200 });
    const points = json(checkPoints(f['points']), 'points', 'array');
    return this.db.transaction(() => {
      if (!this.photoExists.get(photoId)) throw notFound('photo', photoId);
      return toLandmarks(guarded('save landmarks', () => this.upsertRow.get(photoId, model, points, Date.now()) as LandmarksRow));
    })();
  }

  get(photoId: number, model: string): Landmarks {
    const row = this.selectOne.get(checkId(photoId, 'photoId'), text(model, 'model', { max: 200 }));
    if (!row) throw notFound(`landmarks by ${model} of photo`, photoId);
    return toLandmarks(row);
  }

  listByPhoto(photoId: number): Landmarks[] {
    return this.selectByPhoto.all(checkId(photoId, 'photoId')).map(toLandmarks);
  }
}
