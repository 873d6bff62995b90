// The catalog: one SQLite file per library, opened once per process. It owns the connection, applies the
// migrations and hands out one repository per table (each prepares its statements once, here, at open).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';

import { BlobsRepository } from './blobs-repository.js';
import { ClientsRepository } from './clients-repository.js';
import { ConsentsRepository } from './consents-repository.js';
import { ExportsRepository } from './exports-repository.js';
import { GenerationsRepository } from './generations-repository.js';
import { JobsRepository } from './jobs-repository.js';
import { LandmarksRepository } from './landmarks-repository.js';
import { MasksRepository } from './masks-repository.js';
import { migrate, schemaVersion } from './migrations.js';
import { ModelsRepository } from './models-repository.js';
import { PhotosRepository } from './photos-repository.js';
import { ProjectsRepository } from './projects-repository.js';
import { ReviewsRepository } from './reviews-repository.js';
import { SettingsRepository } from './settings-repository.js';
import { TrainingRunsRepository } from './training-runs-repository.js';

export class Catalog {
  readonly blobs: BlobsRepository;
  readonly clients: ClientsRepository;
  readonly projects: ProjectsRepository;
  readonly photos: PhotosRepository;
  readonly masks: MasksRepository;
  readonly landmarks: LandmarksRepository;
  readonly trainingRuns: TrainingRunsRepository;
  readonly generations: GenerationsRepository;
  readonly reviews: ReviewsRepository;
  readonly exports: ExportsRepository;
  readonly consents: ConsentsRepository;
  readonly settings: SettingsRepository;
  readonly models: ModelsRepository;
  readonly jobs: JobsRepository;

  /** Migrations applied by this open (empty when the file was already current). */
  readonly applied: readonly number[];

  constructor(readonly db: BetterSqlite3.Database) {
    // WAL: readers never wait for the writer; NORMAL sync is durable across app crashes in WAL mode (only a
    // power cut can lose the last commits, never corrupt the file).
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    this.applied = migrate(db);
    this.blobs = new BlobsRepository(db);
    this.clients = new ClientsRepository(db);
    this.projects = new ProjectsRepository(db);
    this.photos = new PhotosRepository(db);
    this.masks = new MasksRepository(db);
    this.landmarks = new LandmarksRepository(db);
    this.trainingRuns = new TrainingRunsRepository(db);
    this.generations = new GenerationsRepository(db);
    this.reviews = new ReviewsRepository(db);
    this.exports = new ExportsRepository(db);
    this.consents = new ConsentsRepository(db);
    this.settings = new SettingsRepository(db);
    this.models = new ModelsRepository(db);
    this.jobs = new JobsRepository(db);
  }

  get schemaVersion(): number {
    return schemaVersion(this.db);
  }

  /** Runs `work` in one transaction (nested calls become savepoints); a throw rolls everything back. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Opens (creating if needed) the catalog file and brings its schema up to date. */
export function openCatalog(file: string): Catalog {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    return new Catalog(db);
  } catch (error) {
    db.close();
    throw error;
  }
}
