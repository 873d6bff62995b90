// Pre-flight after an import and on demand (photos.preflight), through the API on a real studio with the real media
// host and real face photos: each source photo's advice is stored on its row with the models that made it, the
// photos are compared with one another (a different person, a repeated photo), references are left alone.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Job, Photo } from '../../src-main/common/api/index.js';
import { ApiDispatcher } from '../../src-main/server/api/dispatcher.js';
import { StagingArea } from '../../src-main/server/api/staging.js';
import { Studio } from '../../src-main/services/studio/index.js';
import { built, consentToEverything, studioOptions } from '../helpers/studio-fixtures.js';
import { openApiHarness } from './api-harness.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'faces');

interface StoredPreflight {
  ok: boolean;
  issues: Array<{ code: string; severity: string; message: string }>;
  identity: number | null;
  duplicateOf: number | null;
  comparedWith: number;
  models: { detector: string; embedding: string; mask: string };
  checkedAt: number;
}
const pre = (photo: Photo) => photo.preflight as unknown as StoredPreflight;
const codes = (photo: Photo) => pre(photo).issues.map((i) => i.code).sort();

describe.skipIf(!built)('pre-flight of a project’s selfies (needs npx tsc -p tsconfig.json)', () => {
  const root = mkdtempSync(join(tmpdir(), 'magicapture-preflight-'));
  let studio: Studio;
  let api: ApiDispatcher;
  let projectId: number;
  const files: Record<string, string> = {};

  async function imported(role: 'source' | 'reference', paths: string[]): Promise<Job> {
    const job = (await api.call('photos.import', { projectId, role, paths })) as Job;
    const settled = await studio.jobs.waitFor(job.id);
    expect(settled.state, settled.error?.message).toBe('done');
    return settled as unknown as Job;
  }
  const byName = (photos: Photo[], name: string) => photos.find((p) => p.originalName === name)!;

  beforeAll(async () => {
    studio = await Studio.open(studioOptions(join(root, 'library')));
    api = new ApiDispatcher({ studio, staging: new StagingArea(join(root, 'staging')), mode: 'server' });
    const { client } = await studio.clients.create({ name: 'Pre Flight', consent: consentToEverything });
    projectId = studio.projects.create({ clientId: client.id, name: 'Selfies' }).id;
    const astronaut = join(fixtures, 'astronaut.jpg');
    files['astronaut'] = join(root, 'astronaut.jpg');
    copyFileSync(astronaut, files['astronaut']);
    files['turned'] = join(root, 'turned.jpg');
    await sharp(astronaut).flop().extract({ left: 40, top: 20, width: 440, height: 440 }).resize(600).jpeg({ quality: 90 }).toFile(files['turned']);
    files['again'] = join(root, 'again.jpg'); // the first photo, smaller and re-encoded: a different file, the same photo
    await sharp(astronaut).resize(400).jpeg({ quality: 85 }).toFile(files['again']);
    files['cameraman'] = join(fixtures, 'camera.png');
    files['coffee'] = join(fixtures, 'coffee.jpg');
  });
  afterAll(async () => {
    api?.close();
    await studio?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('runs after an import and stores each photo’s advice with the models that made it', async () => {
    const job = await imported('source', [files['astronaut']!, files['turned']!, files['again']!, files['cameraman']!, files['coffee']!]);
    expect(job.result).toMatchObject({ preflight: { checked: 5, failing: 1 } });
    const photos = (await api.call('photos.list', { projectId })) as Photo[];
    const astronaut = byName(photos, 'astronaut.jpg');
    for (const photo of photos) {
      expect(pre(photo).models).toEqual({ detector: expect.any(String), embedding: expect.any(String), mask: expect.any(String) });
      expect(pre(photo).comparedWith).toBe(4);
    }
    expect(codes(astronaut)).toEqual([]);
    expect(pre(astronaut).identity!).toBeGreaterThan(0.5);
    expect(codes(byName(photos, 'turned.jpg'))).toEqual([]);
    // The repeat names the photo it repeats by id, not by its place in the host's batch.
    expect(codes(byName(photos, 'again.jpg'))).toContain('duplicate');
    expect(pre(byName(photos, 'again.jpg')).duplicateOf).toBe(astronaut.id);
    expect(codes(byName(photos, 'camera.png'))).toContain('different-person');
    expect(pre(byName(photos, 'coffee.jpg'))).toMatchObject({ ok: false, identity: null });
    expect(codes(byName(photos, 'coffee.jpg'))).toContain('no-face');
  });

  it('leaves references alone and runs again on demand', async () => {
    // A file of its own: the same bytes as a source photo would be a duplicate of it in this project.
    const style = join(root, 'style.png');
    await sharp(join(fixtures, 'camera.png')).resize(300).png().toFile(style);
    await imported('reference', [style]);
    const [reference] = (await api.call('photos.list', { projectId, role: 'reference' })) as Photo[];
    expect(reference!.preflight).toBeNull();

    const before = pre(byName((await api.call('photos.list', { projectId, role: 'source' })) as Photo[], 'astronaut.jpg')).checkedAt;
    // Without the stranger and the coffee cup the three astronauts agree with one another.
    for (const name of ['camera.png', 'coffee.jpg']) {
      const photo = byName((await api.call('photos.list', { projectId, role: 'source' })) as Photo[], name);
      await api.call('photos.setRole', { photoId: photo.id, role: 'reference' });
    }
    const photos = (await api.call('photos.preflight', { projectId })) as Photo[];
    expect(photos.map((p) => p.originalName).sort()).toEqual(['again.jpg', 'astronaut.jpg', 'turned.jpg']);
    for (const photo of photos) {
      expect(pre(photo).checkedAt).toBeGreaterThanOrEqual(before);
      expect(pre(photo).comparedWith).toBe(2);
      expect(codes(photo)).not.toContain('different-person');
    }
  });

  it('refuses an unknown project, and a studio without its media host', async () => {
    await expect(api.call('photos.preflight', { projectId: 999 })).rejects.toMatchObject({ code: 'not_found' });
    const bare = await openApiHarness('preflight-bare');
    try {
      const { client } = (await bare.dispatcher.call('clients.create', { name: 'No Hosts' })) as { client: { id: number } };
      const project = (await bare.dispatcher.call('projects.create', { clientId: client.id, name: 'P' })) as { id: number };
      await expect(bare.dispatcher.call('photos.preflight', { projectId: project.id })).rejects.toMatchObject({
        code: 'unavailable',
        message: 'expected a studio with its media host to run pre-flight, received one opened without hosts',
      });
    } finally {
      await bare.close();
    }
  });
});
