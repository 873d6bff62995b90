// Deliverables exported for a client: the file kept in the library (so a re-delivery needs no re-render) and,
// when the photographer saved a copy elsewhere, where it went.
import type BetterSqlite3 from 'better-sqlite3';

import { guarded, notFound } from './catalog-error.js';
import { fields, id as checkId, integer, oneOf, optionalId, optionalText, sha256 } from './validate.js';

export const EXPORT_FORMATS = ['jpeg', 'png', 'tiff', 'webp'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface Export {
  id: number;
  projectId: number;
  generationId: number | null;
  format: ExportFormat;
  width: number;
  height: number;
  blob: string;
  destination: string | null;
  createdAt: number;
}

export interface NewExport {
  projectId: number;
  generationId?: number | null;
  format: ExportFormat;
  width: number;
  height: number;
  blob: string;
  destination?: string | null;
}

interface ExportRow {
  id: number;
  project_id: number;
  generation_id: number | null;
  format: ExportFormat;
  width: number;
  height: number;
  blob: string;
  destination: string | null;
  created_at: number;
}

function toExport(row: ExportRow): Export {
  return {
    id: row.id,
    projectId: row.project_id,
    generationId: row.generation_id,
    format: row.format,
    width: row.width,
    height: row.height,
    blob: row.blob,
    destination: row.destination,
    createdAt: row.created_at,
  };
}

export class ExportsRepository {
  private readonly insertRow;
  private readonly selectOne;
  private readonly selectByProject;
  private readonly projectExists;
  private readonly generationInProject;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.insertRow = db.prepare<unknown[], ExportRow>(
      `INSERT INTO exports (project_id, generation_id, format, width, height, blob, destination, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    );
    this.selectOne = db.prepare<[number], ExportRow>('SELECT * FROM exports WHERE id = ?');
    this.selectByProject = db.prepare<[number], ExportRow>('SELECT * FROM exports WHERE project_id = ? ORDER BY created_at DESC, id DESC');
    this.projectExists = db.prepare<[number], number>('SELECT 1 FROM projects WHERE id = ?').pluck();
    this.generationInProject = db.prepare<[number, number], number>('SELECT 1 FROM generations WHERE id = ? AND project_id = ?').pluck();
  }

  create(input: NewExport): Export {
    const f = fields(input, 'new export', ['projectId', 'generationId', 'format', 'width', 'height', 'blob', 'destination']);
    const projectId = checkId(f['projectId'], 'projectId');
    const generationId = optionalId(f['generationId'], 'generationId');
    const values = [
      oneOf(f['format'], 'format', EXPORT_FORMATS),
      integer(f['width'], 'width', 1, 65_535),
      integer(f['height'], 'height', 1, 65_535),
      sha256(f['blob'], 'blob'),
      optionalText(f['destination'], 'destination', { max: 4096 }),
    ];
    return this.db.transaction(() => {
      if (!this.projectExists.get(projectId)) throw notFound('project', projectId);
      if (generationId !== null && !this.generationInProject.get(generationId, projectId)) throw notFound('generation', generationId);
      return toExport(guarded('record export', () => this.insertRow.get(projectId, generationId, ...values, Date.now()) as ExportRow));
    })();
  }

  get(id: number): Export {
    const row = this.selectOne.get(checkId(id, 'export id'));
    if (!row) throw notFound('export', id);
    return toExport(row);
  }

  listByProject(projectId: number): Export[] {
    return this.selectByProject.all(checkId(projectId, 'projectId')).map(toExport);
  }
}
