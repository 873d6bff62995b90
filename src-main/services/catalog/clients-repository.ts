// Clients: the person a project is for. Deleting one cascades to every row of theirs (projects, photos,
// consents, jobs, …); Library.deleteClient also removes their files, so prefer it over delete() here.
import type BetterSqlite3 from 'better-sqlite3';

import { guarded, notFound } from './catalog-error.js';
import { fields, id as checkId, optionalText, text } from './validate.js';

export interface Client {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  notes: string;
  createdAt: number;
  updatedAt: number;
}

export interface NewClient {
  name: string;
  email?: string | null;
  phone?: string | null;
  notes?: string;
}

export type ClientChanges = Partial<NewClient>;

interface ClientRow {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  notes: string;
  created_at: number;
  updated_at: number;
}

const FIELDS = ['name', 'email', 'phone', 'notes'] as const;
const EMAIL = { max: 254, pattern: /^[^\s@]+@[^\s@]+\.[^\s@]+$/, patternText: 'an e-mail address like name@example.com' };

function toClient(row: ClientRow): Client {
  return { id: row.id, name: row.name, email: row.email, phone: row.phone, notes: row.notes, createdAt: row.created_at, updatedAt: row.updated_at };
}

/** Validates new values; fields absent from `input` keep `current`'s value (or the default when creating). */
function checked(input: unknown, what: string, current?: Client): Omit<Client, 'id' | 'createdAt' | 'updatedAt'> {
  const f = fields(input, what, FIELDS);
  return {
    name: 'name' in f || !current ? text(f['name'], 'name', { max: 200 }) : current.name,
    email: 'email' in f ? optionalText(f['email'], 'email', EMAIL) : (current?.email ?? null),
    phone: 'phone' in f ? optionalText(f['phone'], 'phone', { max: 50 }) : (current?.phone ?? null),
    notes: 'notes' in f ? text(f['notes'], 'notes', { min: 0, max: 10_000 }) : (current?.notes ?? ''),
  };
}

export class ClientsRepository {
  private readonly insertRow;
  private readonly selectOne;
  private readonly selectAll;
  private readonly updateRow;
  private readonly deleteRow;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.insertRow = db.prepare<[string, string | null, string | null, string, number, number], ClientRow>(
      'INSERT INTO clients (name, email, phone, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *',
    );
    this.selectOne = db.prepare<[number], ClientRow>('SELECT * FROM clients WHERE id = ?');
    this.selectAll = db.prepare<[], ClientRow>('SELECT * FROM clients ORDER BY name COLLATE NOCASE, id');
    this.updateRow = db.prepare<[string, string | null, string | null, string, number, number], ClientRow>(
      'UPDATE clients SET name = ?, email = ?, phone = ?, notes = ?, updated_at = ? WHERE id = ? RETURNING *',
    );
    this.deleteRow = db.prepare<[number]>('DELETE FROM clients WHERE id = ?');
  }

  create(input: NewClient): Client {
    const c = checked(input, 'new client');
    const now = Date.now();
    return toClient(guarded('create client', () => this.insertRow.get(c.name, c.email, c.phone, c.notes, now, now) as ClientRow));
  }

  get(id: number): Client {
    const row = this.selectOne.get(checkId(id, 'client id'));
    if (!row) throw notFound('client', id);
    return toClient(row);
  }

  list(): Client[] {
    return this.selectAll.all().map(toClient);
  }

  update(id: number, changes: ClientChanges): Client {
    return this.db.transaction(() => {
      const c = checked(changes, 'client changes', this.get(id));
      return toClient(this.updateRow.get(c.name, c.email, c.phone, c.notes, Date.now(), id) as ClientRow);
    })();
  }

  /** Removes the client's rows only (cascading); their library files stay until Library.deleteClient or the doctor. */
  delete(id: number): void {
    if (this.deleteRow.run(checkId(id, 'client id')).changes === 0) throw notFound('client', id);
  }
}
