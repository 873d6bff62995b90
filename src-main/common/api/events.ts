// Events the studio pushes to every window (IPC) and browser (WebSocket): job state and progress, and "this
// part of the catalog changed" so open lists reload without polling.
import type { CatalogEntity } from './methods/rules.js';
import type { Job, JobProgress } from './types.js';

export interface ApiEvents {
  'job-state': { type: 'job-state'; job: Job };
  /** At most a few per second per job; `progress.etaSeconds` is the estimated time left. */
  'job-progress': { type: 'job-progress'; id: number; progress: JobProgress };
  /** `clientId` is the client whose data changed, when one is (null for settings). */
  'catalog-changed': { type: 'catalog-changed'; entity: CatalogEntity; clientId: number | null };
}

export type ApiEventType = keyof ApiEvents;
export type ApiEvent = ApiEvents[ApiEventType];
export const API_EVENT_TYPES: readonly ApiEventType[] = ['job-state', 'job-progress', 'catalog-changed'];

export function isApiEventType(value: unknown): value is ApiEventType {
  return typeof value === 'string' && (API_EVENT_TYPES as readonly string[]).includes(value);
}
