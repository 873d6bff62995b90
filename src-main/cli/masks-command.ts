// `magicapture masks`: face masks (white face, black elsewhere, the photo's size) for a project's photos, from a
// folder where each mask is named like its photo (selfie-1.jpg → selfie-1.png), one mask for one photo, or made
// automatically (--detect, the media host's face analysis, for the photos without one). Each becomes the photo's
// next mask version; `--list` shows what every photo has.
import { readdir } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import type { Photo } from '../common/api/types.js';
import { UsageError } from './args.js';
import { InputError } from './input-error.js';
import { idArg, LIBRARY_OPTION, printJson, printTable, type Session, withStudio } from './studio-session.js';

export const MASKS_USAGE = 'magicapture masks --project ID (MASK_FOLDER | --detect | --list) | masks --photo ID MASK_FILE   [--library DIR] [--json]';

const OPTIONS = { ...LIBRARY_OPTION, project: { type: 'string' }, photo: { type: 'string' }, list: { type: 'boolean' }, detect: { type: 'boolean' } } as const;
const MASK_EXTENSIONS = ['.png', '.webp', '.tif', '.tiff', '.jpg', '.jpeg'];

async function save(session: Session, photo: Photo, file: string): Promise<number> {
  const job = await session.call('masks.save', { photoId: photo.id, path: file });
  const done = await session.follow(job, `mask of ${photo.originalName}`);
  return (done.result as { version: number }).version;
}

/** The mask file named like the photo (its stem with a mask extension), if the folder has one. */
function maskFor(photo: Photo, files: readonly string[]): string | undefined {
  const stem = basename(photo.originalName, extname(photo.originalName));
  return MASK_EXTENSIONS.map((ext) => `${stem}${ext}`).find((name) => files.includes(name) && name !== photo.originalName);
}

export async function masksCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if ((values.project === undefined) === (values.photo === undefined)) throw new UsageError('expected either --project ID with a mask folder (or --list), or --photo ID with a mask file');
  if (values.detect && values.project === undefined) throw new UsageError('expected --detect with --project ID');
  // Detection runs in the media host; the other forms only read files.
  return withStudio({ library: values.library, hosts: values.detect ? 'spawn' : 'none' }, async (session) => {
    if (values.photo !== undefined) {
      const [file, ...extra] = positionals;
      if (file === undefined || extra.length > 0) throw new UsageError('expected one mask file after --photo ID');
      const photoId = idArg(values.photo, '--photo');
      const photo = await session.call('photos.show', { photoId });
      const version = await save(session, photo, resolve(file));
      process.stdout.write(`photo ${photoId}: mask version ${version}\n`);
      return 0;
    }
    const projectId = idArg(values.project, '--project');
    const photos = await session.call('photos.list', { projectId });
    if (values.list) {
      const rows = await Promise.all(photos.map(async (p) => ({ photo: p, masks: await session.call('masks.list', { photoId: p.id }) })));
      if (values.json) return (printJson(rows), 0);
      printTable(rows.map(({ photo, masks }) => [`photo ${photo.id}`, photo.role, photo.originalName, masks.length === 0 ? 'no mask' : `mask v${masks.at(-1)?.version}`]));
      return 0;
    }
    if (values.detect) {
      const jobs = await session.call('masks.detect', { projectId });
      if (jobs.length === 0) process.stderr.write('every photo already has a mask\n');
      for (const job of jobs) {
        const photo = photos.find((p) => job.request.kind === 'masks' && (job.request as { photoId?: number }).photoId === p.id);
        const done = await session.follow(job, `finding the face in ${photo?.originalName ?? `job ${job.id}`}`);
        process.stdout.write(`photo ${photo?.id ?? '?'} ${photo?.originalName ?? ''}: mask version ${(done.result as { version: number }).version}\n`);
      }
      return 0;
    }
    const [folder, ...extra] = positionals;
    if (folder === undefined || extra.length > 0) throw new UsageError('expected one mask folder after --project ID');
    const files = await readdir(resolve(folder)).catch(() => {
      throw new InputError(`expected a folder of masks, received ${folder}, which cannot be read`);
    });
    const missing: string[] = [];
    for (const photo of photos) {
      const name = maskFor(photo, files);
      if (name === undefined) missing.push(photo.originalName);
      else process.stdout.write(`photo ${photo.id} ${photo.originalName}: mask version ${await save(session, photo, join(resolve(folder), name))}\n`);
    }
    if (missing.length > 0) {
      throw new InputError(`expected a mask for every photo, received none for ${missing.join(', ')}`, 'Name each mask like its photo (selfie-1.jpg → selfie-1.png); training needs a mask on every photo.');
    }
    return 0;
  });
}
