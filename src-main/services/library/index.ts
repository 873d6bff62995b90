// The library folder's public surface: open a library, import photos, store files with their rows, delete a
// client with their files, check a library (doctor), and where the library lives.
export { doctor, type DoctorEntry, type DoctorOptions, type DoctorReport } from './doctor.js';
export { DEFAULT_IMAGE_LIMITS, prepareImage, type ImageLimits, type PreparedImage } from './image-preparation.js';
export {
  CATALOG_FILE,
  Library,
  openLibrary,
  type DeletedClient,
  type FileToStore,
  type NewGenerationWithFiles,
  type OpenLibraryOptions,
  type StoredFile,
} from './library.js';
export { LibraryError, type LibraryErrorCode } from './library-error.js';
export {
  defaultUserDataDir,
  LIBRARY_ENV,
  resolveLibraryLocation,
  saveLibraryLocation,
  type LibraryLocation,
  type LocationOptions,
  type LocationSource,
} from './library-location.js';
export type { ImportResult, PhotoSource } from './photo-import.js';
export { resolveInside, safeFileName } from './safe-path.js';
export { makeThumbnail, THUMBNAIL_EDGE } from './thumbnailer.js';
export { BlobStore, sha256Of } from './blob-store.js';
