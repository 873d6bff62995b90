// The job queue driving the real hosts on the tiny model: priorities, one engine job at a time with media jobs
// beside it, throttled progress with an ETA, cancel (queued: at once; running: at the next step), and a training
// paused mid-run that resumes from its checkpoint and finishes.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ENGINE_KINDS, type JobEvent, type JobView } from '../../src-main/services/jobs/index.js';
import { Studio } from '../../src-main/services/studio/index.js';
import { built, expectDone, maskedProject, recordEvents, studioOptions, tinyRecipe, tinyTraining, writePortrait } from '../helpers/studio-fixtures.js';

function nextEvent(studio: Studio, predicate: (event: JobEvent) => boolean): Promise<JobEvent> {
  return new Promise((resolve) => {
    const off = studio.jobs.on((event) => {
      if (!predicate(event)) return;
      off();
      resolve(event);
    });
  });
}

const progressOf = (events: JobEvent[], id: number) => events.flatMap((e) => (e.type === 'job-progress' && e.id === id ? [e.progress] : []));
const statesOf = (events: JobEvent[], id: number) => events.flatMap((e) => (e.type === 'job-state' && e.job.id === id ? [e.job.state] : []));

describe.skipIf(!built)('job queue (needs npx tsc -p tsconfig.json)', () => {
  const root = mkdtempSync(join(tmpdir(), 'magicapture-jobs-'));
  let studio: Studio;

  beforeAll(async () => {
    studio = await Studio.open(studioOptions(join(root, 'library')));
  });
  afterAll(async () => {
    await studio?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('runs engine jobs one at a time by priority, media jobs beside them, and cancels a queued job at once', async () => {
    mkdirSync(join(root, 'cleo'));
    const { projectId } = await maskedProject(studio, join(root, 'cleo'), 'Cleo');
    const events = recordEvents(studio);
    const base = { prompt: 'a portrait', ...tinyRecipe, count: 1, trainingRunId: null };

    const blocker = await studio.generations.generate(projectId, { ...base, steps: 60 });
    await nextEvent(studio, (e) => e.type === 'job-progress' && e.id === blocker.id);
    const low = await studio.generations.generate(projectId, base, { priority: 1 });
    const high = await studio.generations.generate(projectId, base, { priority: 5 });
    const train = (await studio.training.start(projectId, tinyTraining([2, 2]), { priority: 3 })).job as JobView;
    const doomed = await studio.generations.generate(projectId, base, { priority: 9 });
    expect(studio.jobs.cancel(doomed.id)).toMatchObject({ state: 'cancelled', attempts: 0 });
    const extra = await writePortrait(join(root, 'cleo', 'extra.jpg'), [80, 64], [40, 30, 12], [[0.8, 0.6, 0.5], [0.2, 0.2, 0.6]]);
    const media = studio.projects.importPhotos(projectId, 'reference', [extra]);

    for (const job of [blocker, low, high, train, media]) await expectDone(studio, job);
    expect(studio.jobs.get(doomed.id).state).toBe('cancelled');

    // Replaying the state events: never two engine jobs running, and the import ran while one was.
    const running = new Set<number>();
    let mostEngineJobs = 0;
    let importBesideEngine = false;
    const engineStarts: number[] = [];
    for (const event of events) {
      if (event.type !== 'job-state') continue;
      const { id, kind, state } = event.job;
      if (state === 'running') {
        if (ENGINE_KINDS.includes(kind)) engineStarts.push(id);
        if (kind === 'import') importBesideEngine = [...running].length > 0;
        if (ENGINE_KINDS.includes(kind)) running.add(id);
      } else running.delete(id);
      mostEngineJobs = Math.max(mostEngineJobs, running.size);
    }
    expect(mostEngineJobs).toBe(1);
    expect(importBesideEngine).toBe(true);
    expect(engineStarts).toEqual([blocker.id, high.id, train.id, low.id]);
    expect(statesOf(events, doomed.id)).toEqual(['queued', 'cancelled']);

    // 60 steps give a handful of throttled events, the last one complete, with an ETA along the way.
    const blockerProgress = progressOf(events, blocker.id);
    expect(blockerProgress.length).toBeLessThan(30);
    expect(blockerProgress.at(-1)).toMatchObject({ done: 60, total: 60, fraction: 1, etaSeconds: 0 });
    expect(blockerProgress.some((p) => p.etaSeconds !== null && p.etaSeconds > 0)).toBe(true);
    expect(studio.jobs.get(blocker.id).progress).toMatchObject({ done: 60, total: 60 });

    expect(() => studio.jobs.resume(blocker.id)).toThrow(`expected a paused or failed job to resume, received job ${blocker.id}, which is done`);
    expect(() => studio.jobs.cancel(blocker.id)).toThrow(/received job \d+, which is done/);
    expect(studio.jobs.list({ kind: 'train', clientId: train.clientId as number }).map((j) => j.id)).toEqual([train.id]);
  });

  it('pauses a running training at a step boundary with its checkpoint, resumes it from there, and it completes', async () => {
    mkdirSync(join(root, 'dora'));
    const { projectId } = await maskedProject(studio, join(root, 'dora'), 'Dora', 0.1);
    const events = recordEvents(studio);
    const { run, job } = await studio.training.start(projectId, tinyTraining([6, 6]));
    const id = (job as JobView).id;
    await nextEvent(studio, (e) => e.type === 'job-progress' && e.id === id);
    expect(studio.training.pause(run.id)).toMatchObject({ state: 'running', stopping: 'pause' });

    const paused = await studio.jobs.waitFor(id);
    expect(paused).toMatchObject({ state: 'paused', stopping: null });
    const stoppedAt = paused.progress?.done as number;
    expect(stoppedAt).toBeGreaterThanOrEqual(1);
    expect(stoppedAt).toBeLessThan(12);
    expect(studio.training.show(run.id).run.state).toBe('paused');
    expect(existsSync(join(studio.library.dir, 'runs', String(run.id), 'checkpoint.safetensors'))).toBe(true);

    const before = events.length;
    expect(studio.training.resume(run.id).state).toMatch(/queued|running/);
    const done = await studio.jobs.waitFor(id);
    expect(done).toMatchObject({ state: 'done', attempts: 2, interruptions: 0, result: { steps: 12 } });
    // The second attempt starts after the checkpoint the pause wrote, not from step 1.
    const resumed = progressOf(events.slice(before), id);
    expect(resumed[0]?.done).toBeGreaterThanOrEqual(2);
    expect(resumed[0]?.done).toBeLessThanOrEqual(stoppedAt + 1);
    expect(studio.training.show(run.id)).toMatchObject({ run: { state: 'done' }, outputs: { length: 4 } });
    expect(statesOf(events, id)).toEqual(['queued', 'running', 'paused', 'queued', 'running', 'done']);
  });

  it('cancels a running training at its next step: the run is cancelled and its checkpoints go', async () => {
    mkdirSync(join(root, 'eve'));
    const { projectId } = await maskedProject(studio, join(root, 'eve'), 'Eve', 0.15);
    const { run, job } = await studio.training.start(projectId, tinyTraining([6, 6]));
    const id = (job as JobView).id;
    await nextEvent(studio, (e) => e.type === 'job-progress' && e.id === id);
    expect(studio.training.cancel(run.id)).toMatchObject({ state: 'running', stopping: 'cancel' });
    expect(await studio.jobs.waitFor(id)).toMatchObject({ state: 'cancelled', error: null });
    expect(studio.training.show(run.id).run.state).toBe('cancelled');
    expect(existsSync(join(studio.library.dir, 'runs', String(run.id)))).toBe(false);
    expect(() => studio.training.resume(run.id)).toThrow(/which is cancelled/);
    // A cancelled run is final, so the project may train again.
    const again = await studio.training.start(projectId, tinyTraining([1, 1]));
    await expectDone(studio, again.job as JobView);
  });
});
