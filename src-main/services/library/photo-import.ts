// Importing a client's photos into a project. Per file: check the name, read, hash, detect a duplicate, decode
// and convert (image-preparation.ts), write the three files. Then one transaction adds every accepted photo.
// A refused file gets a result saying why and leaves nothing behind; a duplicate points at the photo already
// there. A crash before the commit leaves only unreferenced blob files, which the doctor removes.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';

import { CatalogError } from '../catalog/catalog-error.js';
import { PHOTO_ROLES, type NewPhoto, type Photo, type PhotoRole } from '../catalog/photos-repository.js';
import { id as checkId, oneOf } from '../catalog/validate.js';
import { sha256Of } from './blob-store.js';
import { prepareImage, type PreparedImage } from './image-preparation.js';
import type { Library, StoredFile } from './library.js';
import { LibraryError } from './library-error.js';
import { safeFileName } from './safe-path.js';
import { THUMBNAIL_MEDIA_TYPE } from './thumbnailer.js';

/** A file on disk (`path`, its name taken from the path unless `name` is given) or bytes with a `name`. */
export interface PhotoSource {
  path?: string;
  data?: Buffer;
  name?: string;
}

export type ImportResult =
  | { status: 'imported'; name: string; photo: Photo }
  | { status: 'duplicate'; name: string; photo: Photo; message: string }
  | { status: 'refused'; name: string; error: LibraryError };

type Accepted = { name: string; sha256: string; prepared: Omit<PreparedImage, 'processing' | 'thumbnail'>; files: StoredFile[] };
type Pending = { status: 'refused'; name: string; error: LibraryError } | { status: 'accepted'; item: Accepted } | { status: 'duplicate'; name: string; sha256: string };

async function readSource(source: PhotoSource, library: Library): Promise<{ name: string; data: Buffer }> {
  if (source.data !== undefined) {
    if (!Buffer.isBuffer(source.data)) throw new LibraryError('not_found', 'expected the photo bytes as a Buffer');
    return { name: safeFileName(source.name), data: source.data };
  }
  if (typeof source.path !== 'string' || source.path === '') throw new LibraryError('not_found', 'expected a photo file path or bytes, received neither');
  const name = safeFileName(source.name ?? basename(source.path));
  const info = await stat(source.path).catch(() => undefined);
  if (!info?.isFile()) throw new LibraryError('not_found', `expected a photo file, received ${JSON.stringify(source.path)}, which does not exist or is a folder`);
  if (info.size > library.limits.maxFileBytes) {
    throw new LibraryError('too_large', `expected a file of at most ${library.limits.maxFileBytes / 2 ** 20} MiB, received ${name} of ${(info.size / 2 ** 20).toFixed(0)} MiB`);
  }
  return { name, data: await readFile(source.path) };
}

function displayName(source: PhotoSource): string {
  return String(source.name ?? (source.path === undefined ? 'a photo' : basename(source.path)));
}

async function examine(library: Library, projectId: number, source: PhotoSource, seen: Set<string>): Promise<Pending> {
  try {
    const { name, data } = await readSource(source, library);
    const sha256 = sha256Of(data);
    if (seen.has(sha256) || library.catalog.photos.findByOriginal(projectId, sha256)) return { status: 'duplicate', name, sha256 };
    seen.add(sha256);
    const { processing, thumbnail, ...prepared } = await prepareImage(data, name, library.limits);
    // Written now rather than at the commit, so a batch of large photos never sits in memory at once.
    const files = await library.storeFiles([
      { data, mediaType: prepared.mediaType },
      { data: processing, mediaType: 'image/png' },
      { data: thumbnail, mediaType: THUMBNAIL_MEDIA_TYPE },
    ]);
    return { status: 'accepted', item: { name, sha256, prepared, files } };
  } catch (error) {
    if (error instanceof LibraryError) return { status: 'refused', name: displayName(source), error };
    throw error;
  }
}

export async function importPhotos(library: Library, projectId: number, role: PhotoRole, sources: readonly PhotoSource[]): Promise<ImportResult[]> {
  const project = checkId(projectId, 'projectId');
  const checkedRole = oneOf(role, 'role', PHOTO_ROLES);
  if (!Array.isArray(sources)) throw new CatalogError('invalid', 'expected a list of photos to import');
  library.catalog.projects.get(project);

  const seen = new Set<string>();
  const pending: Pending[] = [];
  const accepted = () => pending.flatMap((p) => (p.status === 'accepted' ? [p.item] : []));
  try {
    for (const source of sources) pending.push(await examine(library, project, source, seen));
  } catch (error) {
    await library.discardFiles(accepted().flatMap((item) => item.files));
    throw error;
  }

  const items = accepted();
  const photos = await library.commitStored(items.flatMap((item) => item.files), () => {
    const rows: NewPhoto[] = items.map(({ name, prepared, files }) => ({
      projectId: project,
      role: checkedRole,
      originalName: name,
      originalBlob: (files[0] as StoredFile).sha256,
      processingBlob: (files[1] as StoredFile).sha256,
      thumbnailBlob: (files[2] as StoredFile).sha256,
      originalFormat: prepared.format,
      width: prepared.width,
      height: prepared.height,
    }));
    return library.catalog.photos.createMany(rows);
  });

  const bySha = new Map(items.map((item, i) => [item.sha256, photos[i] as Photo]));
  return pending.map((p): ImportResult => {
    if (p.status === 'refused') return p;
    if (p.status === 'accepted') return { status: 'imported', name: p.item.name, photo: bySha.get(p.item.sha256) as Photo };
    const photo = bySha.get(p.sha256) ?? (library.catalog.photos.findByOriginal(project, p.sha256) as Photo);
    return { status: 'duplicate', name: p.name, photo, message: `${p.name} is already in this project as ${photo.originalName} (photo ${photo.id})` };
  });
}
