// Photos of a project (import by path or by upload, list, role) and their face masks (versions, edits). Imports
// and mask edits run as jobs: they decode and write files, and a queued import survives a restart.
import { absolutePath, id, list, name, object, oneOf, optional, optionalOneOf, params, refuse, set, sha256, text } from '../check.js';
import { MAX_BATCH, MAX_MASK_REQUEST_BYTES } from '../limits.js';
import { PHOTO_ROLES, type Job, type Mask, type Photo, type PhotoRole } from '../types.js';
import { byId, type MethodRules } from './rules.js';

/** A file sent beforehand with POST /files (studio server), named as the photographer's file was. */
export interface UploadRef {
  sha256: string;
  name: string;
}

export interface ImportParams {
  projectId: number;
  /** source: selfies of the client (the identity); reference: portraits in the wanted style. */
  role: PhotoRole;
  /** Absolute paths on the studio's machine (the desktop app's file dialog, the CLI). */
  paths?: string[];
  uploads?: UploadRef[];
}

/** A mask (white face, black elsewhere, at the size of the upright photo) as base64 PNG bytes or as a file. */
export type SaveMaskParams = { photoId: number } & ({ png: string; path?: never } | { path: string; png?: never });

export interface PhotoMethods {
  /** Queues the import; `job.result.files` (ImportedPhoto[]) says what became of each file. */
  'photos.import': { params: ImportParams; result: Job };
  'photos.list': { params: { projectId: number; role?: PhotoRole }; result: Photo[] };
  'photos.show': { params: { photoId: number }; result: Photo };
  'photos.setRole': { params: { photoId: number; role: PhotoRole }; result: Photo };
  /** Runs the face pre-flight over the project's source photos now (imports run it too) and stores it on each
   *  photo (`photo.preflight`, with the models that made it); returns the source photos. Needs the media host. */
  'photos.preflight': { params: { projectId: number }; result: Photo[] };
  /** Every version, oldest first; the newest is the one training uses. */
  'masks.list': { params: { photoId: number }; result: Mask[] };
  /** Queues the mask as the photo's next version (checked: the photo's size, marks a face). The desktop app and
   *  the CLI send a file's path; a browser sends the edited mask's bytes. */
  'masks.save': { params: SaveMaskParams; result: Job };
  /** Queues automatic masks (the media host's face analysis) for one photo, or for every photo of a project that has none. */
  'masks.detect': { params: { projectId: number } | { photoId: number }; result: Job[] };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const PHOTO_RULES: { [M in keyof PhotoMethods]: MethodRules<PhotoMethods[M]['params']> } = {
  'photos.import': {
    changes: 'jobs',
    check: (value) => {
      const f = params(value, 'photos.import', ['projectId', 'role', 'paths', 'uploads']);
      const out: ImportParams = { projectId: id(f['projectId'], 'projectId'), role: oneOf(f['role'], 'role', PHOTO_ROLES) };
      set(out, 'paths', optional(f['paths'], (v) => list(v, 'paths', 1, MAX_BATCH, absolutePath)));
      set(out, 'uploads', optional(f['uploads'], (v) => list(v, 'uploads', 1, MAX_BATCH, (u, p) => {
        const o = object(u, p, ['sha256', 'name']);
        return { sha256: sha256(o['sha256'], `${p}.sha256`), name: name(o['name'], `${p}.name`, 255) };
      })));
      const count = (out.paths?.length ?? 0) + (out.uploads?.length ?? 0);
      if (count === 0) refuse('expected paths or uploads with at least one photo, received neither');
      if (count > MAX_BATCH) refuse(`expected at most ${MAX_BATCH} photos in one import, received ${count}`);
      return out;
    },
  },
  'photos.list': {
    check: (value) => {
      const f = params(value, 'photos.list', ['projectId', 'role']);
      const out: { projectId: number; role?: PhotoRole } = { projectId: id(f['projectId'], 'projectId') };
      set(out, 'role', optionalOneOf(f['role'], 'role', PHOTO_ROLES));
      return out;
    },
  },
  'photos.show': byId('photos.show', 'photoId'),
  'photos.preflight': byId('photos.preflight', 'projectId', 'photos'),
  'photos.setRole': {
    changes: 'photos',
    check: (value) => {
      const f = params(value, 'photos.setRole', ['photoId', 'role']);
      return { photoId: id(f['photoId'], 'photoId'), role: oneOf(f['role'], 'role', PHOTO_ROLES) };
    },
  },
  'masks.list': byId('masks.list', 'photoId'),
  'masks.save': {
    changes: 'jobs',
    maxBytes: MAX_MASK_REQUEST_BYTES,
    check: (value) => {
      const f = params(value, 'masks.save', ['photoId', 'png', 'path']);
      const photoId = id(f['photoId'], 'photoId');
      if ((f['png'] === undefined) === (f['path'] === undefined)) refuse('expected the mask as png (base64) or as path (a file), received ' + (f['png'] === undefined ? 'neither' : 'both'));
      if (f['path'] !== undefined) return { photoId, path: absolutePath(f['path'], 'path') };
      const png = text(f['png'], 'png', MAX_MASK_REQUEST_BYTES);
      if (png.length % 4 !== 0 || !BASE64.test(png)) refuse(`expected png to be a PNG file in base64, received ${png.length} characters that are not base64`);
      return { photoId, png };
    },
  },
  'masks.detect': {
    changes: 'jobs',
    check: (value) => {
      const f = params(value, 'masks.detect', ['projectId', 'photoId']);
      if ((f['projectId'] === undefined) === (f['photoId'] === undefined)) refuse('expected projectId or photoId, received ' + (f['projectId'] === undefined ? 'neither' : 'both'));
      return f['projectId'] !== undefined ? { projectId: id(f['projectId'], 'projectId') } : { photoId: id(f['photoId'], 'photoId') };
    },
  },
};
