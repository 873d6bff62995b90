// The catalog's work repositories on a real SQLite file: photos, masks, landmarks, training runs, generations
// with their recipe and verdicts, exports, jobs; multi-row writes are all-or-nothing; a client's delete
// cascades to every table.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { CatalogError, openCatalog, type Catalog, type NewGeneration } from '../../src-main/services/catalog/index.js';

let dir: string;
let catalog: Catalog;
let clientId: number;
let projectId: number;

/** A recorded blob row for a made-up file (the catalog alone never touches files). */
function blob(label: string): string {
  const sha256 = createHash('sha256').update(label).digest('hex');
  catalog.blobs.record({ sha256, size: label.length, mediaType: 'image/png' });
  return sha256;
}

function caught(work: () => unknown): CatalogError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogError);
    return error as CatalogError;
  }
  throw new Error('expected a CatalogError');
}

const recipe = { baseModelHash: 'c'.repeat(64), prompt: 'A photo of a <sks> person with style <style1>', seed: 1234, sampler: 'euler_a' as const, steps: 30, cfg: 7.5 };

function generation(label: string, extra: Partial<NewGeneration> = {}): NewGeneration {
  return { projectId, imageBlob: blob(label), width: 512, height: 512, recipe, ...extra };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'magicapture-catalog-'));
  catalog = openCatalog(join(dir, 'catalog.sqlite'));
  clientId = catalog.clients.create({ name: 'Ada' }).id;
  projectId = catalog.projects.create({ clientId, name: 'Headshots' }).id;
});

afterEach(() => {
  catalog.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('photos, masks, landmarks', () => {
  it('photos by role with pre-flight results; masks are versioned; landmarks one set per model', () => {
    const files = (n: string) => ({ originalBlob: blob(`${n}-o`), processingBlob: blob(`${n}-p`), thumbnailBlob: blob(`${n}-t`), originalFormat: 'jpeg', width: 600, height: 800 });
    const [selfie, reference] = catalog.photos.createMany([
      { projectId, role: 'source', originalName: 'selfie.jpg', ...files('a') },
      { projectId, role: 'reference', originalName: 'style.jpg', ...files('b') },
    ]);
    expect(catalog.photos.listByProject(projectId, 'source').map((p) => p.id)).toEqual([selfie!.id]);
    expect(catalog.photos.setPreflight(selfie!.id, { faces: 1, sharpness: 0.8 }).preflight).toEqual({ faces: 1, sharpness: 0.8 });
    expect(catalog.photos.setRole(reference!.id, 'source').role).toBe('source');
    expect(catalog.photos.findByOriginal(projectId, selfie!.originalBlob)?.id).toBe(selfie!.id);

    const auto = catalog.masks.create({ photoId: selfie!.id, origin: 'auto', model: 'bisenet-face-parsing', blob: blob('m1') });
    const edited = catalog.masks.create({ photoId: selfie!.id, origin: 'edited', model: 'bisenet-face-parsing', blob: blob('m2') });
    expect([auto.version, edited.version]).toEqual([1, 2]);
    expect(catalog.masks.latest(selfie!.id)?.id).toBe(edited.id);
    expect(caught(() => catalog.masks.create({ photoId: selfie!.id, origin: 'auto', blob: blob('m3') })).message).toMatch(/expected model to be the name of the model/);

    catalog.landmarks.set({ photoId: selfie!.id, model: 'mediapipe-468', points: [[1, 2], [3, 4]] });
    catalog.landmarks.set({ photoId: selfie!.id, model: 'mediapipe-468', points: [[5, 6, 0.1]] });
    expect(catalog.landmarks.get(selfie!.id, 'mediapipe-468').points).toEqual([[5, 6, 0.1]]);
    expect(caught(() => catalog.landmarks.set({ photoId: selfie!.id, model: 'x', points: [[1]] as never })).code).toBe('invalid');
  });

  it('a batch with one bad photo adds none of them', () => {
    const good = { projectId, role: 'source' as const, originalName: 'a.jpg', originalBlob: blob('1'), processingBlob: blob('2'), thumbnailBlob: blob('3'), originalFormat: 'jpeg', width: 1, height: 1 };
    expect(caught(() => catalog.photos.createMany([good, { ...good, originalBlob: blob('4'), role: 'selfie' as never }])).message).toMatch(
      /expected role to be one of source, reference, received "selfie"/,
    );
    expect(caught(() => catalog.photos.createMany([good, { ...good, originalBlob: 'f'.repeat(64) }])).code).toBe('not_found');
    expect(catalog.photos.listByProject(projectId)).toEqual([]);
  });
});

describe('training runs and generations', () => {
  it('a training run moves through its states and keeps its outputs', () => {
    const run = catalog.trainingRuns.create({ projectId, config: { phase1Steps: 1200, phase2Steps: 1500 } });
    expect(run).toMatchObject({ state: 'pending', checkpointsDir: `runs/${run.id}`, startedAt: null });
    const running = catalog.trainingRuns.setState(run.id, 'running');
    expect(running.startedAt).not.toBeNull();
    expect(catalog.trainingRuns.setState(run.id, 'failed', 'out of memory')).toMatchObject({ state: 'failed', error: 'out of memory' });
    catalog.trainingRuns.setState(run.id, 'running');
    catalog.trainingRuns.addOutput({ trainingRunId: run.id, kind: 'lora', step: 2700, blob: blob('lora') });
    expect(catalog.trainingRuns.setState(run.id, 'done').finishedAt).not.toBeNull();
    expect(caught(() => catalog.trainingRuns.setState(run.id, 'running'))).toMatchObject({ code: 'conflict', message: `training run ${run.id} is done: it can move to nothing (it is finished), not to running` });
    expect(catalog.trainingRuns.listOutputs(run.id).map((o) => o.kind)).toEqual(['lora']);
  });

  it('generations keep the full recipe; the gallery filters and sorts; verdicts are consistent', () => {
    const run = catalog.trainingRuns.create({ projectId, config: {} });
    const [a, b, c] = catalog.generations.createMany([
      generation('g1', { trainingRunId: run.id, attentionMapsBlob: blob('att'), recipe: { ...recipe, loraHash: 'd'.repeat(64), loraScales: { unet: 1, textEncoder: 0.8 }, negativePrompt: 'blurry' } }),
      generation('g2'),
      generation('g3'),
    ]);
    expect(catalog.generations.get(a!.id).recipe).toEqual({ ...recipe, loraHash: 'd'.repeat(64), negativePrompt: 'blurry', loraScales: { unet: 1, textEncoder: 0.8 } });
    catalog.reviews.review(a!.id, { rating: 5, favourite: true });
    catalog.reviews.review(b!.id, { rating: 3, picked: true });
    catalog.reviews.reviewMany([c!.id, a!.id], { rejected: true });
    expect(catalog.generations.get(a!.id).review).toMatchObject({ rating: 5, favourite: false, rejected: true, picked: false });
    catalog.reviews.review(a!.id, { favourite: true });
    expect(catalog.generations.get(a!.id).review).toMatchObject({ favourite: true, rejected: false });

    const ids = (query: object) => catalog.generations.list(query).map((g) => g.id);
    expect(ids({ projectId })).toEqual([c!.id, b!.id, a!.id]);
    expect(ids({ projectId, sort: 'oldest' })).toEqual([a!.id, b!.id, c!.id]);
    expect(ids({ clientId, sort: 'rating' })).toEqual([a!.id, b!.id, c!.id]);
    expect(ids({ favourite: true })).toEqual([a!.id]);
    expect(ids({ picked: true, rejected: false })).toEqual([b!.id]);
    expect(ids({ minRating: 4 })).toEqual([a!.id]);
    expect(ids({ trainingRunId: run.id })).toEqual([a!.id]);
    expect(ids({ projectId, limit: 1, offset: 1 })).toEqual([b!.id]);
    expect(catalog.generations.count({ rejected: true })).toBe(1);

    expect(caught(() => catalog.reviews.review(b!.id, { rating: 6 })).message).toBe('expected rating to be an integer from 1 to 5, received number 6');
    expect(caught(() => catalog.reviews.review(b!.id, { rejected: true, favourite: true })).code).toBe('invalid');
    expect(caught(() => catalog.reviews.reviewMany([b!.id, 9999], { rating: 1 })).code).toBe('not_found');
    expect(catalog.generations.get(b!.id).review.rating).toBe(3);
    expect(caught(() => catalog.generations.list({ sort: 'random' as never })).message).toMatch(/expected sort to be one of newest, oldest, rating/);
  });

  it('refuses a recipe the engine could not run, and adds nothing of the batch', () => {
    const bad: [Partial<NewGeneration['recipe']>, RegExp][] = [
      [{ steps: 0 }, /expected steps to be an integer from 1 to 150, received number 0/],
      [{ sampler: 'plms' as never }, /expected sampler to be one of ddim, euler, euler_a, dpmpp_2m_karras, received "plms"/],
      [{ cfg: Number.NaN }, /expected cfg to be a number from 0 to 30, received NaN/],
      [{ seed: -1 }, /expected seed to be an integer from 0/],
      [{ baseModelHash: 'xyz' }, /expected baseModelHash to be a model hash/],
      [{ loraScales: { unet: 'full' } as never }, /expected loraScales.unet to be a number from -4 to 4/],
    ];
    for (const [change, message] of bad) {
      const error = caught(() => catalog.generations.createMany([generation('ok'), generation('bad', { recipe: { ...recipe, ...change } })]));
      expect(error.message).toMatch(message);
    }
    const other = catalog.projects.create({ clientId, name: 'Other' });
    const foreignRun = catalog.trainingRuns.create({ projectId: other.id, config: {} });
    expect(caught(() => catalog.generations.create(generation('x', { trainingRunId: foreignRun.id }))).message).toMatch(/does not exist in project/);
    expect(catalog.generations.count()).toBe(0);
  });

  it('exports point at their generation', () => {
    const g = catalog.generations.create(generation('g'));
    const exported = catalog.exports.create({ projectId, generationId: g.id, format: 'jpeg', width: 2048, height: 2048, blob: blob('export'), destination: '/Users/ada/Delivery/ada-01.jpg' });
    expect(catalog.exports.listByProject(projectId)).toEqual([exported]);
    catalog.generations.delete(g.id);
    expect(catalog.exports.get(exported.id).generationId).toBeNull();
    expect(caught(() => catalog.exports.create({ projectId, format: 'gif' as never, width: 1, height: 1, blob: blob('e2') })).code).toBe('invalid');
  });
});

describe('jobs', () => {
  it('queue order, atomic claim, state moves and progress', () => {
    const low = catalog.jobs.enqueue({ kind: 'generate', payload: { count: 4 }, clientId });
    const high = catalog.jobs.enqueue({ kind: 'train', payload: { runId: 1 }, priority: 10, clientId });
    catalog.jobs.enqueue({ kind: 'export', payload: {} });
    expect(catalog.jobs.list({ state: 'queued' }).map((j) => j.id)[0]).toBe(high.id);
    const claimed = catalog.jobs.claimNext();
    expect(claimed).toMatchObject({ id: high.id, state: 'running', attempts: 1 });
    catalog.jobs.setProgress(high.id, { step: 10, of: 2700 });
    expect(catalog.jobs.get(high.id).progress).toEqual({ step: 10, of: 2700 });
    expect(catalog.jobs.setState(high.id, 'failed', 'engine exited').error).toBe('engine exited');
    expect(catalog.jobs.setState(high.id, 'queued').state).toBe('queued');
    expect(catalog.jobs.claimNext()?.attempts).toBe(2);
    expect(caught(() => catalog.jobs.setState(low.id, 'done')).code).toBe('conflict');
    expect(caught(() => catalog.jobs.enqueue({ kind: 'render' as never, payload: {} })).message).toMatch(/expected kind to be one of import, masks, train, generate, postprocess, export/);
    expect(catalog.jobs.list({ clientId }).length).toBe(2);
  });
});

describe('deleting a client', () => {
  it('cascades to every table and leaves other clients alone', () => {
    const other = catalog.clients.create({ name: 'Bob' });
    const otherProject = catalog.projects.create({ clientId: other.id, name: 'Bob' });
    const photo = catalog.photos.create({ projectId, role: 'source', originalName: 'a.jpg', originalBlob: blob('o'), processingBlob: blob('p'), thumbnailBlob: blob('t'), originalFormat: 'jpeg', width: 1, height: 1 });
    catalog.masks.create({ photoId: photo.id, origin: 'edited', blob: blob('m') });
    catalog.landmarks.set({ photoId: photo.id, model: 'x', points: [[0, 0]] });
    const run = catalog.trainingRuns.create({ projectId, config: {} });
    catalog.trainingRuns.addOutput({ trainingRunId: run.id, kind: 'lora', blob: blob('l') });
    const g = catalog.generations.create(generation('g', { trainingRunId: run.id }));
    catalog.exports.create({ projectId, generationId: g.id, format: 'png', width: 1, height: 1, blob: blob('e') });
    catalog.consents.create({ clientId, signedBy: 'Ada', signedAt: 1, scope: ['training'], releaseBlob: blob('r') });
    catalog.jobs.enqueue({ kind: 'train', payload: {}, clientId });
    catalog.generations.create({ ...generation('bob'), projectId: otherProject.id });

    catalog.clients.delete(clientId);
    const count = (table: string) => catalog.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
    for (const table of ['photos', 'masks', 'landmarks', 'training_runs', 'training_outputs', 'exports', 'consents', 'jobs']) expect(count(table), table).toBe(0);
    expect(count('projects')).toBe(1);
    expect(count('generations')).toBe(1);
    expect(catalog.blobs.listByClient(other.id)).toHaveLength(1);
  });
});
