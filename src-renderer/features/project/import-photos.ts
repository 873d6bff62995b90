// Importing photos: a browser uploads each file to the studio server, then imports the uploads; the desktop app
// imports the paths its file dialog returned. Either way the import is a job; its result says what became of
// each file (imported, duplicate, refused and why).
import type { ImportedPhoto, PhotoRole } from '../../../src-main/common/api/index.js';
import { settled, trackJob } from '../../app/jobs-store.js';
import { studio } from '../../bridge/studio.js';

export async function importFiles(projectId: number, role: PhotoRole, files: readonly File[]): Promise<ImportedPhoto[]> {
  if (!studio.upload) throw Object.assign(new Error('this window cannot upload files'), { hint: 'Use “Choose photos…” in the desktop app.' });
  const uploads = [];
  for (const file of files) uploads.push({ sha256: (await studio.upload(file)).sha256, name: file.name });
  return importJob(projectId, role, { uploads });
}

export async function importPaths(projectId: number, role: PhotoRole, paths: string[]): Promise<ImportedPhoto[]> {
  return importJob(projectId, role, { paths });
}

async function importJob(projectId: number, role: PhotoRole, what: { uploads: Array<{ sha256: string; name: string }> } | { paths: string[] }): Promise<ImportedPhoto[]> {
  const job = await studio.call('photos.import', { projectId, role, ...what });
  trackJob(job);
  const done = await settled(job);
  if (done.state !== 'done') throw Object.assign(new Error(done.error?.message ?? `the import ${done.state}`), { hint: done.error?.hint ?? '' });
  return (done.result as { files?: ImportedPhoto[] } | null)?.files ?? [];
}
