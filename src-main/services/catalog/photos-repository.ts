// Photos of a project: the client's selfies (role "source", the identity) and reference portraits (role
// "reference", the style). Each keeps three files: the untouched original, an upright sRGB 8-bit processing
// copy and a thumbnail; rows are made by Library.importPhotos after the files are on disk.
import type BetterSqlite3 from 'better-sqlite3';

import { guarded, notFound } from './catalog-error.js';
import { fields, id as checkId, integer, json, oneOf, optionalJson, parseJson, sha256, text } from './validate.js';

export const PHOTO_ROLES = ['source', 'reference'] as const;
export type PhotoRole = (typeof PHOTO_ROLES)[number];

/** What the pre-flight checks found (face count, blur, exposure, …); written by the media host, shape open. */
export type Preflight = Record<string, unknown>;

export interface Photo {
  id: number;
  projectId: number;
  role: PhotoRole;
  originalName: string;
  originalBlob: string;
  processingBlob: string;
  thumbnailBlob: string;
  originalFormat: string;
  width: number;
  height: number;
  preflight: Preflight | null;
  createdAt: number;
}

export interface NewPhoto {
  projectId: number;
  role: PhotoRole;
  originalName: string;
  originalBlob: string;
  processingBlob: string;
  thumbnailBlob: string;
  originalFormat: string;
  width: number;
  height: number;
  preflight?: Preflight | null;
}

interface PhotoRow {
  id: number;
  project_id: number;
  role: PhotoRole;
  original_name: string;
  original_blob: string;
  processing_blob: string;
  thumbnail_blob: string;
  original_format: string;
  width: number;
  height: number;
  preflight: string | null;
  created_at: number;
}

const NEW_PHOTO = ['projectId', 'role', 'originalName', 'originalBlob', 'processingBlob', 'thumbnailBlob', 'originalFormat', 'width', 'height', 'preflight'];

function toPhoto(row: PhotoRow): Photo {
  return {
    id: row.id,
    projectId: row.project_id,
    role: row.role,
    originalName: row.original_name,
    originalBlob: row.original_blob,
    processingBlob: row.processing_blob,
    thumbnailBlob: row.thumbnail_blob,
    originalFormat: row.original_format,
    width: row.width,
    height: row.height,
    preflight: parseJson<Preflight>(row.preflight),
    createdAt: row.created_at,
  };
}

export class PhotosRepository {
  private readonly insertRow;
  private readonly selectOne;
  private readonly selectByOriginal;
  private readonly selectByProject;
  private readonly selectByProjectRole;
  private readonly updatePreflight;
  private readonly updateRole;
  private readonly deleteRow;
  private readonly projectExists;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.insertRow = db.prepare<unknown[], PhotoRow>(
      `INSERT INTO photos (project_id, role, original_name, original_blob, processing_blob, thumbnail_blob, original_format,
         width, height, preflight, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    );
    this.selectOne = db.prepare<[number], PhotoRow>('SELECT * FROM photos WHERE id = ?');
    this.selectByOriginal = db.prepare<[number, string], PhotoRow>('SELECT * FROM photos WHERE project_id = ? AND original_blob = ?');
    this.selectByProject = db.prepare<[number], PhotoRow>('SELECT * FROM photos WHERE project_id = ? ORDER BY role DESC, created_at, id');
    this.selectByProjectRole = db.prepare<[number, string], PhotoRow>(
      'SELECT * FROM photos WHERE project_id = ? AND role = ? ORDER BY created_at, id',
    );
    this.updatePreflight = db.prepare<[string, number]>('UPDATE photos SET preflight = ? WHERE id = ?');
    this.updateRole = db.prepare<[string, number]>('UPDATE photos SET role = ? WHERE id = ?');
    this.deleteRow = db.prepare<[number]>('DELETE FROM photos WHERE id = ?');
    this.projectExists = db.prepare<[number], number>('SELECT 1 FROM projects WHERE id = ?').pluck();
  }

  /** Adds every photo or none: one transaction, validated before the first insert. */
  createMany(inputs: readonly NewPhoto[]): Photo[] {
    const rows = inputs.map((input, index) => {
      const f = fields(input, `photo ${index + 1}`, NEW_PHOTO);
      return [
        checkId(f['projectId'], 'projectId'),
        oneOf(f['role'], 'role', PHOTO_ROLES),
        text(f['originalName'], 'originalName', { max: 255 }),
        sha256(f['originalBlob'], 'originalBlob'),
        sha256(f['processingBlob'], 'processingBlob'),
        sha256(f['thumbnailBlob'], 'thumbnailBlob'),
        text(f['originalFormat'], 'originalFormat', { max: 20 }),
        integer(f['width'], 'width', 1, 1_000_000),
        integer(f['height'], 'height', 1, 1_000_000),
        optionalJson(f['preflight'], 'preflight'),
      ] as const;
    });
    return this.db.transaction(() =>
      rows.map((row) => {
        if (!this.projectExists.get(row[0])) throw notFound('project', row[0]);
        return toPhoto(guarded('add photo', () => this.insertRow.get(...row, Date.now()) as PhotoRow));
      }),
    )();
  }

  create(input: NewPhoto): Photo {
    return this.createMany([input])[0] as Photo;
  }

  get(id: number): Photo {
    const row = this.selectOne.get(checkId(id, 'photo id'));
    if (!row) throw notFound('photo', id);
    return toPhoto(row);
  }

  /** The project's photo made from this original file, if it was imported before (duplicate detection). */
  findByOriginal(projectId: number, originalBlob: string): Photo | undefined {
    const row = this.selectByOriginal.get(checkId(projectId, 'projectId'), sha256(originalBlob, 'originalBlob'));
    return row && toPhoto(row);
  }

  listByProject(projectId: number, role?: PhotoRole): Photo[] {
    const project = checkId(projectId, 'projectId');
    const rows = role === undefined ? this.selectByProject.all(project) : this.selectByProjectRole.all(project, oneOf(role, 'role', PHOTO_ROLES));
    return rows.map(toPhoto);
  }

  setPreflight(id: number, preflight: Preflight): Photo {
    const value = json(preflight, 'preflight');
    if (this.updatePreflight.run(value, checkId(id, 'photo id')).changes === 0) throw notFound('photo', id);
    return this.get(id);
  }

  setRole(id: number, role: PhotoRole): Photo {
    const value = oneOf(role, 'role', PHOTO_ROLES);
    if (this.updateRole.run(value, checkId(id, 'photo id')).changes === 0) throw notFound('photo', id);
    return this.get(id);
  }

  /** Removes the photo and its masks and landmarks; its files stay until nothing uses them (doctor repair). */
  delete(id: number): void {
    if (this.deleteRow.run(checkId(id, 'photo id')).changes === 0) throw notFound('photo', id);
  }
}
