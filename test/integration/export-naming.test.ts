// Export with the media host's finishing options through the API on a real studio (tiny model, real media host):
// names from the template ({client} {title} {date} {n}, "/" for a subfolder) exactly as the dialog's preview shows
// them, the long edge applied, and unsafe templates refused before anything is queued.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Job, localDate, previewNames } from '../../src-main/common/api/index.js';
import { ApiDispatcher } from '../../src-main/server/api/dispatcher.js';
import { StagingArea } from '../../src-main/server/api/staging.js';
import { Studio } from '../../src-main/services/studio/index.js';
import { built, consentToEverything, studioOptions, tinyRecipe } from '../helpers/studio-fixtures.js';

describe.skipIf(!built)('exports.create with a name template (needs npx tsc -p tsconfig.json)', () => {
  const root = mkdtempSync(join(tmpdir(), 'magicapture-export-naming-'));
  let studio: Studio;
  let api: ApiDispatcher;
  let projectId: number;
  let generationIds: number[];

  beforeAll(async () => {
    studio = await Studio.open(studioOptions(join(root, 'library')));
    api = new ApiDispatcher({ studio, staging: new StagingArea(join(root, 'staging')), mode: 'server' });
    const { client } = await studio.clients.create({ name: 'Eileen Collins', consent: consentToEverything });
    projectId = studio.projects.create({ clientId: client.id, name: 'Spring' }).id;
    const job = (await api.call('generations.generate', { projectId, trainingRunId: null, recipe: { prompt: 'a portrait', ...tinyRecipe, seed: 1 }, count: 3 })) as Job;
    const settled = await studio.jobs.waitFor(job.id);
    generationIds = (settled.result as { generationIds: number[] }).generationIds;
  });
  afterAll(async () => {
    api?.close();
    await studio?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('writes the names the preview shows, at the long edge asked for', async () => {
    const destination = join(root, 'delivery');
    const fileName = '{client}/{title}-{date}-{n}';
    const job = (await api.call('exports.create', { projectId, generationIds, destination, format: 'jpeg', quality: 90, fileName, longEdge: 256, upscale: 'off' })) as Job;
    const settled = await studio.jobs.waitFor(job.id);
    expect(settled.state, settled.error?.message).toBe('done');
    const expected = previewNames(fileName, { client: 'Eileen Collins', title: 'Spring', date: localDate(new Date(settled.createdAt)) }, 3, 'jpg');
    expect(expected[0]).toBe(`Eileen Collins/Spring-${localDate(new Date(settled.createdAt))}-1.jpg`);
    const written = readdirSync(join(destination, 'Eileen Collins')).sort().map((name) => `Eileen Collins/${name}`);
    expect(written).toEqual(expected);
    for (const name of written) {
      const meta = await sharp(join(destination, name)).metadata();
      expect(Math.max(meta.width!, meta.height!)).toBe(256);
      expect(meta.format).toBe('jpeg');
    }
    expect(studio.exports.list(projectId).map((e) => e.destination).sort()).toEqual(written.map((name) => join(destination, name)));
  });

  it('refuses a template that could leave the folder or uses unknown tokens, queueing nothing', async () => {
    const before = studio.jobs.list({}).length;
    const destination = join(root, 'refused');
    for (const [fileName, message] of [
      ['../{n}', /expected a template without empty, "\." or "\.\." folder names, received "\.\.\/\{n\}"/],
      ['/etc/{n}', /expected a file-name template relative to the export folder/],
      ['{client}-{seed}', /expected template tokens among \{client\}, \{title\}, \{date\}, \{n\}, received "\{seed\}"/],
    ] as const) {
      await expect(api.call('exports.create', { projectId, generationIds, destination, fileName })).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(message) });
    }
    await expect(api.call('exports.create', { projectId, generationIds, destination, longEdge: 100 })).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/^expected longEdge to be an integer from 256 to 8192/) });
    await expect(api.call('exports.create', { projectId, generationIds, destination, upscale: 3 })).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/^expected upscale to be one of auto, off, 2, 4/) });
    expect(studio.jobs.list({})).toHaveLength(before);
  });
});
