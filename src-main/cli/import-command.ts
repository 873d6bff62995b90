// `magicapture import`: photos into a project, as selfies of the client (--role source) or style references
// (--role reference). Folders are read one level deep; each file is reported; any refused file fails the command.
import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import type { ImportedPhoto } from '../common/api/types.js';
import { UsageError } from './args.js';
import { InputError } from './input-error.js';
import { idArg, LIBRARY_OPTION, printJson, printTable, withStudio } from './studio-session.js';

export const IMPORT_USAGE = 'magicapture import --project ID --role source|reference FILE_OR_FOLDER... [--library DIR] [--json]';

const OPTIONS = { ...LIBRARY_OPTION, project: { type: 'string' }, role: { type: 'string' } } as const;
const PHOTO_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.avif', '.heic', '.heif']);

/** Files as given; folders as the photos directly inside them, by name (hidden files and other types skipped). */
export async function photoPaths(args: readonly string[]): Promise<string[]> {
  const paths: string[] = [];
  for (const arg of args) {
    const path = resolve(arg);
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new InputError(`expected a photo file or folder, received ${arg}, which does not exist`);
    if (!info.isDirectory()) {
      paths.push(path);
      continue;
    }
    const names = (await readdir(path)).filter((name) => !name.startsWith('.') && PHOTO_EXTENSIONS.has(extname(name).toLowerCase())).sort();
    if (names.length === 0) throw new InputError(`expected photos in ${arg}, received a folder without JPEG, PNG, WebP, TIFF or AVIF files`);
    paths.push(...names.map((name) => join(path, name)));
  }
  return paths;
}

export async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const projectId = idArg(values.project, '--project');
  if (values.role !== 'source' && values.role !== 'reference') {
    throw new UsageError(`expected --role source (selfies of the client) or --role reference (style portraits), received ${values.role === undefined ? 'nothing' : JSON.stringify(values.role)}`);
  }
  const role = values.role;
  if (positionals.length === 0) throw new UsageError('expected photo files or folders to import, received none');
  const paths = await photoPaths(positionals);
  return withStudio({ library: values.library, hosts: 'none' }, async ({ call, follow }) => {
    const queued = await call('photos.import', { projectId, role, paths });
    const job = await follow(queued, `importing ${paths.length} ${paths.length === 1 ? 'photo' : 'photos'}`);
    const files = (job.result as { files: ImportedPhoto[] }).files;
    if (values.json) printJson(files);
    else printTable(files.map((f) => [f.status, f.photoId === null ? '' : `photo ${f.photoId}`, f.name, f.message ?? '']));
    const refused = files.filter((f) => f.status === 'refused').length;
    if (refused > 0) process.stderr.write(`${refused} of ${files.length} ${files.length === 1 ? 'file was' : 'files were'} refused (see above); the others are in project ${projectId}\n`);
    return refused > 0 ? 1 : 0;
  });
}
