// Consent records: who agreed, when, to what, until when, and the signed release itself (a library file). A
// photographer must be able to show what a client allowed, so records are revoked, never edited.
import type BetterSqlite3 from 'better-sqlite3';

import { CatalogError, guarded, notFound } from './catalog-error.js';
import { fields, id as checkId, invalid, json, oneOf, optionalSha256, optionalTimestamp, text, timestamp } from './validate.js';

export const CONSENT_SCOPES = ['training', 'generation', 'portfolio', 'marketing', 'social_media'] as const;
export type ConsentScope = (typeof CONSENT_SCOPES)[number];

export interface Consent {
  id: number;
  clientId: number;
  signedBy: string;
  signedAt: number;
  scope: ConsentScope[];
  expiresAt: number | null;
  releaseBlob: string | null;
  revokedAt: number | null;
  createdAt: number;
}

export interface NewConsent {
  clientId: number;
  signedBy: string;
  signedAt: number;
  scope: ConsentScope[];
  expiresAt?: number | null;
  releaseBlob?: string | null;
}

interface ConsentRow {
  id: number;
  client_id: number;
  signed_by: string;
  signed_at: number;
  scope: string;
  expires_at: number | null;
  release_blob: string | null;
  revoked_at: number | null;
  created_at: number;
}

function toConsent(row: ConsentRow): Consent {
  return {
    id: row.id,
    clientId: row.client_id,
    signedBy: row.signed_by,
    signedAt: row.signed_at,
    scope: JSON.parse(row.scope) as ConsentScope[],
    expiresAt: row.expires_at,
    releaseBlob: row.release_blob,
    revokedAt: row.revoked_at,
    createdAt: row.created_at,
  };
}

function checkScope(value: unknown): ConsentScope[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid('scope', `a non-empty list of ${CONSENT_SCOPES.join(', ')}`, value);
  return [...new Set(value.map((s, i) => oneOf(s, `scope[${i}]`, CONSENT_SCOPES)))];
}

export class ConsentsRepository {
  private readonly insertRow;
  private readonly selectOne;
  private readonly selectByClient;
  private readonly selectActive;
  private readonly revokeRow;
  private readonly clientExists;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.insertRow = db.prepare<unknown[], ConsentRow>(
      `INSERT INTO consents (client_id, signed_by, signed_at, scope, expires_at, release_blob, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    );
    this.selectOne = db.prepare<[number], ConsentRow>('SELECT * FROM consents WHERE id = ?');
    this.selectByClient = db.prepare<[number], ConsentRow>('SELECT * FROM consents WHERE client_id = ? ORDER BY signed_at, id');
    this.selectActive = db.prepare<[number, number, number], ConsentRow>(
      `SELECT * FROM consents WHERE client_id = ? AND revoked_at IS NULL AND signed_at <= ?
         AND (expires_at IS NULL OR expires_at > ?) ORDER BY signed_at, id`,
    );
    this.revokeRow = db.prepare<[number, number]>('UPDATE consents SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
    this.clientExists = db.prepare<[number], number>('SELECT 1 FROM clients WHERE id = ?').pluck();
  }

  create(input: NewConsent): Consent {
    const f = fields(input, 'new consent', ['clientId', 'signedBy', 'signedAt', 'scope', 'expiresAt', 'releaseBlob']);
    const clientId = checkId(f['clientId'], 'clientId');
    const signedBy = text(f['signedBy'], 'signedBy', { max: 200 });
    const signedAt = timestamp(f['signedAt'], 'signedAt');
    const scope = json(checkScope(f['scope']), 'scope', 'array');
    const expiresAt = optionalTimestamp(f['expiresAt'], 'expiresAt');
    if (expiresAt !== null && expiresAt <= signedAt) throw invalid('expiresAt', `a time after signedAt (${new Date(signedAt).toISOString()})`, new Date(expiresAt).toISOString());
    const releaseBlob = optionalSha256(f['releaseBlob'], 'releaseBlob');
    return this.db.transaction(() => {
      if (!this.clientExists.get(clientId)) throw notFound('client', clientId);
      return toConsent(guarded('record consent', () => this.insertRow.get(clientId, signedBy, signedAt, scope, expiresAt, releaseBlob, Date.now()) as ConsentRow));
    })();
  }

  get(id: number): Consent {
    const row = this.selectOne.get(checkId(id, 'consent id'));
    if (!row) throw notFound('consent', id);
    return toConsent(row);
  }

  listByClient(clientId: number): Consent[] {
    return this.selectByClient.all(checkId(clientId, 'clientId')).map(toConsent);
  }

  /** Consents in force at `at`: signed, not expired, not revoked. */
  listActive(clientId: number, at = Date.now()): Consent[] {
    const when = timestamp(at, 'at');
    return this.selectActive.all(checkId(clientId, 'clientId'), when, when).map(toConsent);
  }

  /** Whether the client currently allows `scope` (e.g. training on their photos). */
  allows(clientId: number, scope: ConsentScope, at = Date.now()): boolean {
    const wanted = oneOf(scope, 'scope', CONSENT_SCOPES);
    return this.listActive(clientId, at).some((consent) => consent.scope.includes(wanted));
  }

  revoke(id: number, at = Date.now()): Consent {
    const when = timestamp(at, 'at');
    return this.db.transaction(() => {
      const consent = this.get(id);
      if (consent.revokedAt !== null) throw new CatalogError('conflict', `consent ${id} was already revoked on ${new Date(consent.revokedAt).toISOString()}`);
      this.revokeRow.run(when, consent.id);
      return this.get(id);
    })();
  }
}
