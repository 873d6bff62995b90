// What every studio service works with. Services validate what callers send (the API and the CLI pass untyped
// input) and then hand the work to the catalog, the library or the job queue.
import type { Catalog } from '../catalog/catalog.js';
import type { ConsentScope } from '../catalog/consents-repository.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { BaseModel, JobKind } from '../jobs/job-types.js';
import type { Library } from '../library/library.js';
import { StudioError } from './studio-error.js';

export interface StudioContext {
  catalog: Catalog;
  library: Library;
  jobs: JobQueue;
  baseModel(): Promise<BaseModel>;
}

/** Work on a client's photos needs their consent in force for that use (DESIGN: consent records). */
export function requireConsent(catalog: Catalog, clientId: number, scope: ConsentScope): void {
  if (catalog.consents.allows(clientId, scope)) return;
  const name = catalog.clients.get(clientId).name;
  throw new StudioError('consent', `expected a consent of ${name} to ${scope.replace('_', ' ')} in force, received none (not signed, expired or revoked)`,
    `Record ${name}'s signed consent covering ${scope.replace('_', ' ')} before using their photos for it.`);
}

/** Refuses work this studio cannot run before anything is written for it (a run row, a hashed model). */
export function requireRunner(jobs: JobQueue, kind: JobKind): void {
  if (jobs.canRun(kind)) return;
  throw new StudioError('unavailable', `expected a studio that can run ${kind} jobs, received one opened without its engine and media hosts`,
    'Open the studio with hosts (the app and the studio server do; the CLI does for train, generate and export).');
}
