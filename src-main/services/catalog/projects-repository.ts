// Projects: one client's identity + style work, and the prompt tokens that name the two concepts
// (METHOD.md §2.1: `<sks>` for the subject, `<style1>` for the style).
import type BetterSqlite3 from 'better-sqlite3';

import { guarded, notFound } from './catalog-error.js';
import { fields, id as checkId, invalid, text } from './validate.js';

export interface Project {
  id: number;
  clientId: number;
  name: string;
  subjectToken: string;
  styleToken: string;
  notes: string;
  createdAt: number;
  updatedAt: number;
}

export interface NewProject {
  clientId: number;
  name: string;
  subjectToken?: string;
  styleToken?: string;
  notes?: string;
}

export type ProjectChanges = Partial<Omit<NewProject, 'clientId'>>;

interface ProjectRow {
  id: number;
  client_id: number;
  name: string;
  subject_token: string;
  style_token: string;
  notes: string;
  created_at: number;
  updated_at: number;
}

type ProjectValues = Pick<Project, 'name' | 'subjectToken' | 'styleToken' | 'notes'>;

const TOKEN = { max: 40, pattern: /^<[a-z0-9_]{1,38}>$/, patternText: 'a token like <sks> (lowercase letters, digits, _ inside <>)' };

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    clientId: row.client_id,
    name: row.name,
    subjectToken: row.subject_token,
    styleToken: row.style_token,
    notes: row.notes,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function checked(f: Record<string, unknown>, current?: ProjectValues): ProjectValues {
  const values = {
    name: 'name' in f || !current ? text(f['name'], 'name', { max: 200 }) : current.name,
    subjectToken: 'subjectToken' in f ? text(f['subjectToken'], 'subjectToken', TOKEN) : (current?.subjectToken ?? '<sks>'),
    styleToken: 'styleToken' in f ? text(f['styleToken'], 'styleToken', TOKEN) : (current?.styleToken ?? '<style1>'),
    notes: 'notes' in f ? text(f['notes'], 'notes', { min: 0, max: 10_000 }) : (current?.notes ?? ''),
  };
  if (values.subjectToken === values.styleToken) {
    throw invalid('styleToken', `a token different from the subject token ${values.subjectToken}`, values.styleToken);
  }
  return values;
}

export class ProjectsRepository {
  private readonly insertRow;
  private readonly selectOne;
  private readonly selectByClient;
  private readonly updateRow;
  private readonly deleteRow;
  private readonly clientExists;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.insertRow = db.prepare<[number, string, string, string, string, number, number], ProjectRow>(
      `INSERT INTO projects (client_id, name, subject_token, style_token, notes, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    );
    this.selectOne = db.prepare<[number], ProjectRow>('SELECT * FROM projects WHERE id = ?');
    this.selectByClient = db.prepare<[number], ProjectRow>('SELECT * FROM projects WHERE client_id = ? ORDER BY created_at, id');
    this.updateRow = db.prepare<[string, string, string, string, number, number], ProjectRow>(
      'UPDATE projects SET name = ?, subject_token = ?, style_token = ?, notes = ?, updated_at = ? WHERE id = ? RETURNING *',
    );
    this.deleteRow = db.prepare<[number]>('DELETE FROM projects WHERE id = ?');
    this.clientExists = db.prepare<[number], number>('SELECT 1 FROM clients WHERE id = ?').pluck();
  }

  create(input: NewProject): Project {
    const f = fields(input, 'new project', ['clientId', 'name', 'subjectToken', 'styleToken', 'notes']);
    const clientId = checkId(f['clientId'], 'clientId');
    const v = checked(f);
    return this.db.transaction(() => {
      if (!this.clientExists.get(clientId)) throw notFound('client', clientId);
      const now = Date.now();
      return toProject(guarded('create project', () => this.insertRow.get(clientId, v.name, v.subjectToken, v.styleToken, v.notes, now, now) as ProjectRow));
    })();
  }

  get(id: number): Project {
    const row = this.selectOne.get(checkId(id, 'project id'));
    if (!row) throw notFound('project', id);
    return toProject(row);
  }

  listByClient(clientId: number): Project[] {
    return this.selectByClient.all(checkId(clientId, 'clientId')).map(toProject);
  }

  update(id: number, changes: ProjectChanges): Project {
    const f = fields(changes, 'project changes', ['name', 'subjectToken', 'styleToken', 'notes']);
    return this.db.transaction(() => {
      const v = checked(f, this.get(id));
      return toProject(this.updateRow.get(v.name, v.subjectToken, v.styleToken, v.notes, Date.now(), id) as ProjectRow);
    })();
  }

  /** Removes the project's rows (cascading); unreferenced files are removed by the doctor's repair. */
  delete(id: number): void {
    if (this.deleteRow.run(checkId(id, 'project id')).changes === 0) throw notFound('project', id);
  }
}
