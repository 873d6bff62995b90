// A library folder: the catalog (catalog.sqlite), the content-addressed files (blobs/) and the training
// checkpoints (runs/<id>/). Every write follows one rule: the file is fully on disk before the row that uses
// it commits (storeFiles, then commitStored), so a crash never leaves a row pointing at nothing.
import { mkdir, rm } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import sharp from 'sharp';

import { openCatalog, type Catalog } from '../catalog/catalog.js';
import type { Consent, NewConsent } from '../catalog/consents-repository.js';
import { EXPORT_FORMATS, type Export, type ExportFormat } from '../catalog/exports-repository.js';
import type { Generation, NewGeneration } from '../catalog/generations-repository.js';
import type { Mask, NewMask } from '../catalog/masks-repository.js';
import type { PhotoRole } from '../catalog/photos-repository.js';
import type { NewTrainingOutput, TrainingOutput } from '../catalog/training-runs-repository.js';
import { BlobStore } from './blob-store.js';
import { DEFAULT_IMAGE_LIMITS, decodeError, type ImageLimits } from './image-preparation.js';
import { resolveLibraryLocation, type LocationOptions, type LocationSource } from './library-location.js';
import { LibraryError } from './library-error.js';
import { importPhotos, type ImportResult, type PhotoSource } from './photo-import.js';
import { resolveInside } from './safe-path.js';
import { makeThumbnail, THUMBNAIL_MEDIA_TYPE } from './thumbnailer.js';

export const CATALOG_FILE = 'catalog.sqlite';
export const RUNS_DIR = 'runs';

export interface FileToStore {
  data: Buffer;
  mediaType: string;
}

export interface StoredFile {
  sha256: string;
  size: number;
  mediaType: string;
  /** True when this call wrote the file (false: the library already had these bytes). */
  written: boolean;
}

export interface OpenLibraryOptions extends LocationOptions {
  limits?: Partial<ImageLimits>;
}

export interface DeletedClient {
  /** Library files removed because nothing else used them. */
  removedFiles: number;
  /** Files the client used that stay because another client uses them too. */
  keptSharedFiles: number;
}

export type NewGenerationWithFiles = Omit<NewGeneration, 'imageBlob' | 'thumbnailBlob' | 'attentionMapsBlob' | 'width' | 'height'> & {
  image: Buffer;
  /** The captured attention maps (an opaque file from the engine), kept with the recipe. */
  attentionMaps?: Buffer;
};

export class Library {
  readonly blobs: BlobStore;

  private constructor(
    readonly dir: string,
    readonly source: LocationSource,
    readonly catalog: Catalog,
    readonly limits: ImageLimits,
  ) {
    this.blobs = new BlobStore(dir);
  }

  /** Opens the library at the resolved location (see library-location.ts), creating it when new. */
  static open(options: OpenLibraryOptions = {}): Library {
    const { dir, source } = resolveLibraryLocation(options);
    mkdirSync(dir, { recursive: true });
    return new Library(dir, source, openCatalog(join(dir, CATALOG_FILE)), { ...DEFAULT_IMAGE_LIMITS, ...options.limits });
  }

  close(): void {
    this.catalog.close();
  }

  /** Absolute path of a user-supplied library-relative path; refuses anything that would leave the folder. */
  resolve(relativePath: string): string {
    return resolveInside(this.dir, relativePath);
  }

  filePath(sha256: string): string {
    return this.blobs.pathOf(this.catalog.blobs.get(sha256).sha256);
  }

  /** Writes files (durably, read-only) without committing anything; follow with commitStored or discardFiles. */
  async storeFiles(files: readonly FileToStore[]): Promise<StoredFile[]> {
    const stored: StoredFile[] = [];
    try {
      for (const file of files) stored.push({ ...(await this.blobs.put(file.data)), mediaType: file.mediaType });
    } catch (error) {
      await this.discardFiles(stored);
      throw error;
    }
    return stored;
  }

  /** Records the stored files and runs `commit` in one transaction; if it throws, the files it wrote go again. */
  async commitStored<T>(stored: readonly StoredFile[], commit: () => T): Promise<T> {
    try {
      return this.catalog.transaction(() => {
        for (const { sha256, size, mediaType } of stored) this.catalog.blobs.record({ sha256, size, mediaType });
        return commit();
      });
    } catch (error) {
      await this.discardFiles(stored);
      throw error;
    }
  }

  async commitFiles<T>(files: readonly FileToStore[], commit: (hashes: string[]) => T): Promise<T> {
    const stored = await this.storeFiles(files);
    return this.commitStored(stored, () => commit(stored.map((file) => file.sha256)));
  }

  /** Removes files this process wrote that no row uses (a refused or failed commit). */
  async discardFiles(stored: readonly StoredFile[]): Promise<void> {
    for (const file of stored) {
      if (file.written && !this.catalog.blobs.find(file.sha256)) await this.blobs.remove(file.sha256);
    }
  }

  importPhotos(projectId: number, role: PhotoRole, sources: readonly PhotoSource[]): Promise<ImportResult[]> {
    return importPhotos(this, projectId, role, sources);
  }

  /** Imports one photo; a refused file throws its LibraryError. */
  async importPhoto(projectId: number, role: PhotoRole, source: PhotoSource): Promise<Exclude<ImportResult, { status: 'refused' }>> {
    const [result] = await importPhotos(this, projectId, role, [source]);
    if (result?.status === 'refused') throw result.error;
    return result as Exclude<ImportResult, { status: 'refused' }>;
  }

  addMask(input: Omit<NewMask, 'blob'> & { png: Buffer }): Promise<Mask> {
    const { png, ...mask } = input;
    return this.commitFiles([{ data: png, mediaType: 'image/png' }], ([blob]) => this.catalog.masks.create({ ...mask, blob: blob as string }));
  }

  async addGeneration(input: NewGenerationWithFiles): Promise<Generation> {
    const { image, attentionMaps, ...generation } = input;
    const { width, height } = await imageSize(image, 'the generated image');
    const files = [
      { data: image, mediaType: 'image/png' },
      { data: await makeThumbnail(image), mediaType: THUMBNAIL_MEDIA_TYPE },
      ...(attentionMaps ? [{ data: attentionMaps, mediaType: 'application/octet-stream' }] : []),
    ];
    return this.commitFiles(files, ([imageBlob, thumbnailBlob, attentionMapsBlob]) =>
      this.catalog.generations.create({ ...generation, imageBlob: imageBlob as string, thumbnailBlob: thumbnailBlob ?? null, attentionMapsBlob: attentionMapsBlob ?? null, width, height }),
    );
  }

  async addExport(input: { projectId: number; generationId?: number | null; data: Buffer; destination?: string | null }): Promise<Export> {
    const { data, ...exported } = input;
    const { width, height, format } = await imageSize(data, 'the exported image');
    if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
      throw new LibraryError('unsupported_format', `expected an export in ${EXPORT_FORMATS.join(', ')}, received ${format}`);
    }
    return this.commitFiles([{ data, mediaType: `image/${format}` }], ([blob]) =>
      this.catalog.exports.create({ ...exported, format: format as ExportFormat, width, height, blob: blob as string }),
    );
  }

  /** Records a consent with its signed release (a PDF or a photo of the paper form) kept in the library. */
  addConsent(input: Omit<NewConsent, 'releaseBlob'> & { release?: FileToStore }): Promise<Consent> {
    const { release, ...consent } = input;
    return this.commitFiles(release ? [release] : [], ([releaseBlob]) => this.catalog.consents.create({ ...consent, releaseBlob: releaseBlob ?? null }));
  }

  addTrainingOutput(input: Omit<NewTrainingOutput, 'blob'> & { data: Buffer }): Promise<TrainingOutput> {
    const { data, ...output } = input;
    return this.commitFiles([{ data, mediaType: 'application/octet-stream' }], ([blob]) => this.catalog.trainingRuns.addOutput({ ...output, blob: blob as string }));
  }

  /** The run's checkpoint folder (created on first use), where the trainer writes resumable state. */
  async checkpointsDir(trainingRunId: number): Promise<string> {
    const dir = this.resolve(this.catalog.trainingRuns.get(trainingRunId).checkpointsDir);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /**
   * Deletes the client, every row of theirs (foreign-key cascades) and every library file only they used.
   * Rows go first, in one transaction; then the files. A crash in between leaves unreferenced files, which
   * the doctor finds and removes, never a row without its file.
   */
  async deleteClient(clientId: number): Promise<DeletedClient> {
    const { removed, runDirs, used } = this.catalog.transaction(() => {
      const used = this.catalog.blobs.listByClient(clientId);
      const runDirs = this.catalog.projects
        .listByClient(clientId)
        .flatMap((project) => this.catalog.trainingRuns.listByProject(project.id))
        .map((run) => run.checkpointsDir);
      this.catalog.clients.delete(clientId);
      return { removed: this.catalog.blobs.deleteUnreferenced(used), runDirs, used };
    });
    for (const sha256 of removed) await this.blobs.remove(sha256);
    for (const dir of runDirs) await rm(this.resolve(dir), { recursive: true, force: true });
    return { removedFiles: removed.length, keptSharedFiles: used.length - removed.length };
  }
}

export function openLibrary(options: OpenLibraryOptions = {}): Library {
  return Library.open(options);
}

async function imageSize(data: Buffer, what: string): Promise<{ width: number; height: number; format: string }> {
  try {
    const { width, height, format } = await sharp(data, { limitInputPixels: DEFAULT_IMAGE_LIMITS.maxInputPixels }).metadata();
    return { width, height, format };
  } catch (error) {
    throw decodeError(error, what);
  }
}
