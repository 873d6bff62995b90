// What a gallery card shows of every client, in one query: the cover (the first selfie of their first project),
// consent in force (with its scope), the state of the project's latest training and the last activity. The gallery
// used to ask three calls per card for this; a studio with thousands of clients now costs one statement, and each
// subquery walks an index (projects_by_client, photos_by_project, training_runs_by_project, consents_by_client).
import type BetterSqlite3 from 'better-sqlite3';

import type { Client } from './clients-repository.js';

export type ConsentState = 'in-force' | 'expired' | 'revoked' | 'none';
export type TrainingSummary = 'pending' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled' | 'none';

export interface ClientSummary {
  client: Client;
  /** The client's first project (cards open it), or null. */
  projectId: number | null;
  /** Thumbnail blob of that project's first selfie, or null. */
  cover: string | null;
  /** in-force: a consent neither revoked nor expired; expired: none in force but one not revoked; revoked: all revoked. */
  consent: { state: ConsentState; scope: string[] };
  training: TrainingSummary;
  /** Newest of: the client's and project's last change, the latest training's start or end, the last photo. */
  lastActivity: number;
}

interface Row {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  notes: string;
  created_at: number;
  updated_at: number;
  project_id: number | null;
  project_at: number | null;
  cover: string | null;
  training: TrainingSummary | null;
  run_at: number | null;
  photo_at: number | null;
  scopes: string;
  consents: number;
  unrevoked: number;
}

const SQL = `
WITH firsts AS (
  SELECT c.*, (SELECT p.id FROM projects p WHERE p.client_id = c.id ORDER BY p.created_at, p.id LIMIT 1) AS project_id
  FROM clients c
), latest AS (
  SELECT f.*, (SELECT r.id FROM training_runs r WHERE r.project_id = f.project_id ORDER BY r.created_at DESC, r.id DESC LIMIT 1) AS run_id
  FROM firsts f
)
SELECT l.id, l.name, l.email, l.phone, l.notes, l.created_at, l.updated_at, l.project_id,
  (SELECT p.updated_at FROM projects p WHERE p.id = l.project_id) AS project_at,
  (SELECT ph.thumbnail_blob FROM photos ph WHERE ph.project_id = l.project_id AND ph.role = 'source' ORDER BY ph.created_at, ph.id LIMIT 1) AS cover,
  (SELECT r.state FROM training_runs r WHERE r.id = l.run_id) AS training,
  (SELECT COALESCE(r.finished_at, r.started_at) FROM training_runs r WHERE r.id = l.run_id) AS run_at,
  (SELECT MAX(ph.created_at) FROM photos ph WHERE ph.project_id = l.project_id) AS photo_at,
  (SELECT json_group_array(json(cs.scope)) FROM consents cs
     WHERE cs.client_id = l.id AND cs.revoked_at IS NULL AND (cs.expires_at IS NULL OR cs.expires_at > @now)) AS scopes,
  (SELECT COUNT(*) FROM consents cs WHERE cs.client_id = l.id) AS consents,
  (SELECT COUNT(*) FROM consents cs WHERE cs.client_id = l.id AND cs.revoked_at IS NULL) AS unrevoked
FROM latest l`;

function summary(row: Row): ClientSummary {
  const inForce = JSON.parse(row.scopes) as string[][];
  const state: ConsentState = inForce.length > 0 ? 'in-force' : row.consents === 0 ? 'none' : row.unrevoked > 0 ? 'expired' : 'revoked';
  return {
    client: { id: row.id, name: row.name, email: row.email, phone: row.phone, notes: row.notes, createdAt: row.created_at, updatedAt: row.updated_at },
    projectId: row.project_id,
    cover: row.cover,
    consent: { state, scope: [...new Set(inForce.flat())] },
    training: row.training ?? 'none',
    lastActivity: Math.max(row.updated_at, row.project_at ?? 0, row.run_at ?? 0, row.photo_at ?? 0),
  };
}

export function listClientSummaries(db: BetterSqlite3.Database, now = Date.now()): ClientSummary[] {
  return (db.prepare<{ now: number }, Row>(SQL).all({ now })).map(summary);
}
