// Rows for the files of the library folder (content-addressed by SHA-256). A blob row is written in the same
// transaction as the first row that uses the file, and only after the file is on disk (Library.commitFiles).
import type BetterSqlite3 from 'better-sqlite3';

import { notFound } from './catalog-error.js';
import { id as checkId, integer, sha256 as checkSha256, text } from './validate.js';

export interface Blob {
  sha256: string;
  size: number;
  mediaType: string;
  createdAt: number;
}

export interface NewBlob {
  sha256: string;
  size: number;
  mediaType: string;
}

interface BlobRow {
  sha256: string;
  size: number;
  media_type: string;
  created_at: number;
}

function toBlob(row: BlobRow): Blob {
  return { sha256: row.sha256, size: row.size, mediaType: row.media_type, createdAt: row.created_at };
}

export class BlobsRepository {
  private readonly insertRow;
  private readonly selectOne;
  private readonly selectAll;
  private readonly referenced;
  private readonly referencedByClient;
  private readonly unreferenced;
  private readonly deleteRow;

  constructor(private readonly db: BetterSqlite3.Database) {
    // The same file recorded twice (a duplicate photo in another project) is one row.
    this.insertRow = db.prepare<[string, number, string, number]>(
      'INSERT INTO blobs (sha256, size, media_type, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING',
    );
    this.selectOne = db.prepare<[string], BlobRow>('SELECT * FROM blobs WHERE sha256 = ?');
    this.selectAll = db.prepare<[], BlobRow>('SELECT * FROM blobs ORDER BY sha256');
    this.referenced = db.prepare<[string], number>('SELECT 1 FROM blob_references WHERE sha256 = ? LIMIT 1').pluck();
    this.referencedByClient = db.prepare<[number], string>('SELECT DISTINCT sha256 FROM blob_references WHERE client_id = ?').pluck();
    this.unreferenced = db
      .prepare<[], string>('SELECT sha256 FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM blob_references r WHERE r.sha256 = b.sha256)')
      .pluck();
    this.deleteRow = db.prepare<[string]>('DELETE FROM blobs WHERE sha256 = ?');
  }

  record(input: NewBlob): Blob {
    const sha256 = checkSha256(input.sha256, 'sha256');
    const size = integer(input.size, 'size', 0, Number.MAX_SAFE_INTEGER);
    const mediaType = text(input.mediaType, 'mediaType', { max: 100, pattern: /^[a-z]+\/[a-z0-9.+-]+$/, patternText: 'a media type like image/png' });
    this.insertRow.run(sha256, size, mediaType, Date.now());
    return this.get(sha256);
  }

  get(sha256: string): Blob {
    const row = this.selectOne.get(checkSha256(sha256, 'sha256'));
    if (!row) throw notFound('file', sha256);
    return toBlob(row);
  }

  find(sha256: string): Blob | undefined {
    const row = this.selectOne.get(checkSha256(sha256, 'sha256'));
    return row && toBlob(row);
  }

  list(): Blob[] {
    return this.selectAll.all().map(toBlob);
  }

  isReferenced(sha256: string): boolean {
    return this.referenced.get(sha256) !== undefined;
  }

  /** The files a client's rows use (some may be shared with other clients). */
  listByClient(clientId: number): string[] {
    return this.referencedByClient.all(checkId(clientId, 'clientId'));
  }

  /** Blob rows that nothing uses any more: left by a crash, a project delete, or an edit that replaced a file. */
  listUnreferenced(): string[] {
    return this.unreferenced.all();
  }

  /** Deletes the rows among `candidates` that nothing references; returns the ones deleted (their files may go). */
  deleteUnreferenced(candidates: readonly string[]): string[] {
    return this.db.transaction(() => candidates.filter((sha256) => !this.isReferenced(sha256) && this.deleteRow.run(sha256).changes > 0))();
  }
}
