// `magicapture doctor`: checks a library folder against its catalog. Every blob row must have its file with
// the right hash; every file must have a row; every row must be used by something. It reports what it finds
// and, only when asked, repairs what is safe: temporary leftovers of interrupted writes, files no row
// mentions, blob rows nothing uses, checkpoint folders of deleted runs. Missing or corrupted files are never
// "repaired" (only a backup can bring them back); the report says which.
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

import { openCatalog } from '../catalog/catalog.js';
import { BlobStore, removeFile, sha256OfFile } from './blob-store.js';
import { formatDoctorReport } from './doctor-text.js';
import { CATALOG_FILE, RUNS_DIR } from './library.js';
import { LibraryError } from './library-error.js';

export interface DoctorEntry {
  /** Library-relative, with "/" separators. */
  path: string;
  sha256?: string;
  /** How many catalog entries use the file (for missing and corrupt files). */
  usedBy?: number;
}

export interface DoctorReport {
  libraryDir: string;
  blobRows: number;
  blobFiles: number;
  missing: DoctorEntry[];
  corrupt: DoctorEntry[];
  orphanFiles: DoctorEntry[];
  unreferenced: DoctorEntry[];
  tempFiles: DoctorEntry[];
  orphanRunDirs: DoctorEntry[];
  unknownFiles: DoctorEntry[];
  /** What repair removed (empty unless `repair` was asked for). */
  repaired: DoctorEntry[];
  /** No missing or corrupt files, and nothing left to clean up. */
  healthy: boolean;
}

export interface DoctorOptions {
  repair?: boolean;
}

const HASH_CONCURRENCY = 4;

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function doctor(libraryDir: string, { repair = false }: DoctorOptions = {}): Promise<{ report: DoctorReport; text: string }> {
  if (!existsSync(join(libraryDir, CATALOG_FILE))) {
    throw new LibraryError('not_found', `expected a MagiCapture library at ${libraryDir} (a folder with ${CATALOG_FILE}), received a folder without one`, 'Pass the folder chosen as the library in Settings.');
  }
  const rel = (path: string) => relative(libraryDir, path).split(sep).join('/');
  const catalog = openCatalog(join(libraryDir, CATALOG_FILE));
  try {
    const store = new BlobStore(libraryDir);
    const usedBy = catalog.db.prepare<[string], number>('SELECT count(*) FROM blob_references WHERE sha256 = ?').pluck();
    const rows = catalog.blobs.list();
    const unreferencedRows = new Set(catalog.blobs.listUnreferenced());
    const entries = await store.list();
    const files = new Map(entries.flatMap((e) => (e.kind === 'blob' ? [[e.sha256, e.path] as const] : [])));

    const report: DoctorReport = {
      libraryDir,
      blobRows: rows.length,
      blobFiles: files.size,
      missing: [],
      corrupt: [],
      orphanFiles: [],
      unreferenced: [],
      tempFiles: entries.filter((e) => e.kind === 'temp').map((e) => ({ path: rel(e.path) })),
      orphanRunDirs: [],
      unknownFiles: entries.filter((e) => e.kind === 'unknown').map((e) => ({ path: rel(e.path) })),
      repaired: [],
      healthy: false,
    };

    await inParallel(rows, HASH_CONCURRENCY, async ({ sha256 }) => {
      const path = files.get(sha256);
      const entry = { path: BlobStore.relativePath(sha256), sha256, usedBy: usedBy.get(sha256) ?? 0 };
      if (path === undefined) report.missing.push(entry);
      else if ((await sha256OfFile(path)) !== sha256) report.corrupt.push(entry);
      else if (unreferencedRows.has(sha256)) report.unreferenced.push({ path: entry.path, sha256 });
    });
    const known = new Set(rows.map((row) => row.sha256));
    for (const [sha256, path] of files) if (!known.has(sha256)) report.orphanFiles.push({ path: rel(path), sha256 });

    const runDirs = new Set(catalog.db.prepare<[], string>('SELECT checkpoints_dir FROM training_runs').pluck().all());
    for (const dir of await readdir(join(libraryDir, RUNS_DIR), { withFileTypes: true }).catch(() => [])) {
      const path = `${RUNS_DIR}/${dir.name}`;
      if (!runDirs.has(path)) report.orphanRunDirs.push({ path });
    }
    for (const list of [report.missing, report.corrupt, report.orphanFiles, report.unreferenced]) list.sort((a, b) => a.path.localeCompare(b.path));

    if (repair) {
      for (const entry of [...report.tempFiles, ...report.orphanFiles]) {
        await removeFile(join(libraryDir, entry.path));
        report.repaired.push(entry);
      }
      const deleted = catalog.blobs.deleteUnreferenced(report.unreferenced.map((entry) => entry.sha256 as string));
      for (const sha256 of deleted) {
        await store.remove(sha256);
        report.repaired.push({ path: BlobStore.relativePath(sha256), sha256 });
      }
      for (const entry of report.orphanRunDirs) {
        await rm(join(libraryDir, entry.path), { recursive: true, force: true });
        report.repaired.push(entry);
      }
    }
    const cleanupLeft = report.tempFiles.length + report.orphanFiles.length + report.unreferenced.length + report.orphanRunDirs.length;
    report.healthy = report.missing.length === 0 && report.corrupt.length === 0 && (repair || cleanupLeft === 0);
    return { report, text: formatDoctorReport(report, repair) };
  } finally {
    catalog.close();
  }
}
