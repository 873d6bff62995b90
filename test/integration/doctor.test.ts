// The doctor on a real library: a crash before a rename (temp leftover), a missing file, a corrupted file, an
// orphan file, a row nothing uses, a deleted run's checkpoints; it reports all of them and repairs only the
// safe ones, only when asked.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { BlobStore, doctor, Library, sha256Of } from '../../src-main/services/library/index.js';

let dir: string;
let library: Library;
let projectId: number;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'magicapture-doctor-'));
  library = Library.open({ dir: join(dir, 'lib') });
  const client = library.catalog.clients.create({ name: 'Ada' });
  projectId = library.catalog.projects.create({ clientId: client.id, name: 'Headshots' }).id;
  const photos = await Promise.all([10, 120, 240].map((v) => sharp({ create: { width: 32, height: 32, channels: 3, background: { r: v, g: v, b: 0 } } }).jpeg().toBuffer()));
  await library.importPhotos(projectId, 'source', photos.map((data, i) => ({ data, name: `${i}.jpg` })));
});

afterEach(() => {
  library.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('doctor', () => {
  it('finds nothing wrong in a healthy library', async () => {
    const { report, text } = await doctor(library.dir);
    expect(report).toMatchObject({ blobRows: 9, blobFiles: 9, missing: [], corrupt: [], orphanFiles: [], tempFiles: [], healthy: true });
    expect(text).toMatch(/9 files checked against 9 catalog entries\n {2}The library is healthy\./);
  });

  it('reports a crash before the rename (a temp leftover) and removes it only when asked', async () => {
    // What writeFileAtomic leaves when the process dies after writing, before rename: a temp name, no row.
    const data = Buffer.from('half-written portrait');
    const final = library.blobs.pathOf(sha256Of(data));
    mkdirSync(dirname(final), { recursive: true });
    const temp = join(dirname(final), `.tmp-${process.pid}-deadbeef0000`);
    writeFileSync(temp, data.subarray(0, 8));
    expect(library.catalog.blobs.find(sha256Of(data))).toBeUndefined();

    const check = await doctor(library.dir);
    expect(check.report.tempFiles).toEqual([{ path: `blobs/${final.split('/').at(-2)}/.tmp-${process.pid}-deadbeef0000` }]);
    expect(check.report.healthy).toBe(false);
    expect(check.text).toMatch(/Leftover temporary files of interrupted writes \(1\): safe to remove with `magicapture doctor --repair`/);
    expect(existsSync(temp)).toBe(true);

    const repaired = await doctor(library.dir, { repair: true });
    expect(repaired.report.repaired).toHaveLength(1);
    expect(existsSync(temp)).toBe(false);
    expect((await doctor(library.dir)).report.healthy).toBe(true);
  });

  it('finds a missing file, a corrupted file and an orphan blob; repairs only the orphan', async () => {
    const [missing, corrupt] = library.catalog.photos.listByProject(projectId).map((p) => p.originalBlob);
    unlinkSync(library.blobs.pathOf(missing!));
    const corruptPath = library.blobs.pathOf(corrupt!);
    chmodSync(corruptPath, 0o644);
    writeFileSync(corruptPath, Buffer.from('bit rot'));
    const orphan = await library.blobs.put(Buffer.from('written, then the app crashed before its row'));

    const { report, text } = await doctor(library.dir);
    expect(report.missing).toEqual([{ path: BlobStore.relativePath(missing!), sha256: missing, usedBy: 1 }]);
    expect(report.corrupt).toEqual([{ path: BlobStore.relativePath(corrupt!), sha256: corrupt, usedBy: 1 }]);
    expect(report.orphanFiles).toEqual([{ path: BlobStore.relativePath(orphan.sha256), sha256: orphan.sha256 }]);
    expect(report.healthy).toBe(false);
    expect(text).toMatch(/MISSING files \(1\): the catalog uses them but they are gone; restore them from a backup/);
    expect(text).toMatch(/CORRUPTED files \(1\)/);
    expect(text).toMatch(/Files the catalog does not know \(1\)/);

    const repaired = await doctor(library.dir, { repair: true });
    expect(repaired.report.repaired.map((e) => e.sha256)).toEqual([orphan.sha256]);
    expect(existsSync(library.blobs.pathOf(orphan.sha256))).toBe(false);
    expect(existsSync(corruptPath)).toBe(true);
    expect(library.catalog.blobs.find(missing!)).toBeDefined();
    expect(repaired.report.healthy).toBe(false);
  });

  it('removes rows nothing uses and checkpoint folders of deleted runs, when asked', async () => {
    const [photo] = library.catalog.photos.listByProject(projectId);
    library.catalog.photos.delete(photo!.id);
    const run = library.catalog.trainingRuns.create({ projectId, config: {} });
    const checkpoints = await library.checkpointsDir(run.id);
    writeFileSync(join(checkpoints, 'step-1.safetensors'), 'x');
    library.catalog.db.prepare('DELETE FROM training_runs WHERE id = ?').run(run.id);

    const { report } = await doctor(library.dir);
    expect(report.unreferenced.map((e) => e.sha256).sort()).toEqual([photo!.originalBlob, photo!.processingBlob, photo!.thumbnailBlob].sort());
    expect(report.orphanRunDirs).toEqual([{ path: `runs/${run.id}` }]);
    expect(existsSync(library.blobs.pathOf(photo!.originalBlob))).toBe(true);

    const repaired = await doctor(library.dir, { repair: true });
    expect(repaired.report.repaired).toHaveLength(4);
    expect(existsSync(library.blobs.pathOf(photo!.originalBlob))).toBe(false);
    expect(library.catalog.blobs.find(photo!.originalBlob)).toBeUndefined();
    expect(existsSync(checkpoints)).toBe(false);
    expect((await doctor(library.dir)).report).toMatchObject({ healthy: true, blobRows: 6, blobFiles: 6 });
  });

  it('refuses a folder that is not a library', async () => {
    await expect(doctor(join(dir, 'nowhere'))).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/expected a MagiCapture library at .*nowhere/) });
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
  });
});
