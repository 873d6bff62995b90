// Every job the studio reports, kept current from job-state and job-progress events, with the loss history of
// training jobs (each progress event carries the latest losses), so the tray and the training monitor draw
// from the same place.
import { useSyncExternalStore } from 'react';

import type { Job, JobProgress } from '../../src-main/common/api/index.js';
import { studio } from '../bridge/studio.js';

export interface LossPoint {
  step: number;
  phase: number;
  losses: Record<string, number>;
}

interface JobsSnapshot {
  jobs: ReadonlyMap<number, Job>;
  losses: ReadonlyMap<number, readonly LossPoint[]>;
}

let snapshot: JobsSnapshot = { jobs: new Map(), losses: new Map() };
const listeners = new Set<() => void>();
const doneWaiters = new Map<number, Array<(job: Job) => void>>();
let started = false;

const FINISHED = new Set(['done', 'failed', 'cancelled']);

function publish(next: JobsSnapshot): void {
  snapshot = next;
  for (const listener of listeners) listener();
}

function putJob(job: Job): void {
  const jobs = new Map(snapshot.jobs);
  jobs.set(job.id, job);
  publish({ ...snapshot, jobs });
  if (FINISHED.has(job.state) || job.state === 'paused') {
    for (const resolve of doneWaiters.get(job.id) ?? []) resolve(job);
    doneWaiters.delete(job.id);
  }
}

function putProgress(id: number, progress: JobProgress): void {
  const job = snapshot.jobs.get(id);
  const jobs = new Map(snapshot.jobs);
  if (job) jobs.set(id, { ...job, progress, state: job.state === 'queued' ? 'running' : job.state });
  let losses = snapshot.losses;
  const detail = progress.detail as { phase?: unknown; losses?: unknown } | null;
  if (detail && typeof detail.losses === 'object' && detail.losses !== null) {
    const point: LossPoint = { step: progress.done, phase: typeof detail.phase === 'number' ? detail.phase : 1, losses: detail.losses as Record<string, number> };
    const list = [...(snapshot.losses.get(id) ?? []), point];
    losses = new Map(snapshot.losses);
    (losses as Map<number, readonly LossPoint[]>).set(id, list);
  }
  publish({ jobs, losses });
}

export function startJobs(): void {
  if (started) return;
  started = true;
  studio.on('job-state', (event) => putJob(event.job));
  studio.on('job-progress', (event) => putProgress(event.id, event.progress));
  // What was already running or waiting when the window opened (and what failed, so its hint stays visible).
  for (const state of ['running', 'queued', 'paused'] as const) {
    studio.call('jobs.list', { state }).then((jobs) => jobs.forEach((job) => snapshot.jobs.has(job.id) || putJob(job)), () => undefined);
  }
}

/** Adds a job just queued by this window (its events may race the call's reply). */
export function trackJob(job: Job): void {
  if (!snapshot.jobs.has(job.id) || snapshot.jobs.get(job.id)?.state === 'queued') putJob(job);
}

/** Resolves when the job is done, failed, cancelled or paused. */
export function settled(job: Job): Promise<Job> {
  const known = snapshot.jobs.get(job.id) ?? job;
  if (FINISHED.has(known.state)) return Promise.resolve(known);
  return new Promise((resolve) => doneWaiters.set(job.id, [...(doneWaiters.get(job.id) ?? []), resolve]));
}

export function dismissJob(id: number): void {
  const jobs = new Map(snapshot.jobs);
  jobs.delete(id);
  publish({ ...snapshot, jobs });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useJobs(): JobsSnapshot {
  return useSyncExternalStore(subscribe, () => snapshot);
}

export function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return 'estimating…';
  if (seconds < 1) return 'almost done';
  if (seconds < 60) return `${Math.round(seconds)} s left`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${Math.round(seconds % 60)} s left`;
  return `${Math.floor(m / 60)} h ${m % 60} min left`;
}
