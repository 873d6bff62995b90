// The catalog's public surface: open a catalog, its repositories' types, and the error callers branch on.
export { Catalog, openCatalog } from './catalog.js';
export { CatalogError, type CatalogErrorCode } from './catalog-error.js';
export { loadMigrations, migrationsDir } from './migrations.js';
export type { Blob, NewBlob } from './blobs-repository.js';
export type { Client, ClientChanges, NewClient } from './clients-repository.js';
export { CONSENT_SCOPES, type Consent, type ConsentScope, type NewConsent } from './consents-repository.js';
export { EXPORT_FORMATS, type Export, type ExportFormat, type NewExport } from './exports-repository.js';
export { GENERATION_SORTS, type Generation, type GenerationQuery, type GenerationSort, type NewGeneration, type Recipe, type Review } from './generations-repository.js';
export { JOB_KINDS, JOB_STATES, type Job, type JobFailure, type JobFilter, type JobKind, type JobState, type NewJob } from './jobs-repository.js';
export type { Landmarks, NewLandmarks, Point } from './landmarks-repository.js';
export { MASK_ORIGINS, type Mask, type MaskOrigin, type NewMask } from './masks-repository.js';
export { MODEL_PURPOSES, type InstalledModel, type ModelPurpose, type NewInstalledModel } from './models-repository.js';
export { PHOTO_ROLES, type NewPhoto, type Photo, type PhotoRole, type Preflight } from './photos-repository.js';
export type { NewProject, Project, ProjectChanges } from './projects-repository.js';
export type { ReviewChanges } from './reviews-repository.js';
export { TRAINING_STATES, type NewTrainingOutput, type TrainingOutput, type TrainingRun, type TrainingState } from './training-runs-repository.js';
