// clients.summaries: every gallery card's cover, consent state, training state and last activity in one call, on
// a real catalog; the same answers the gallery used to assemble from three calls per card.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ClientSummary, Job, Photo } from '../../src-main/common/api/index.js';
import { writeShoot } from '../helpers/studio-fixtures.js';
import { type ApiHarness, openApiHarness } from './api-harness.js';

let h: ApiHarness;
const HOUR = 3600_000;

async function client(name: string, consent?: Record<string, unknown>): Promise<number> {
  const created = (await h.dispatcher.call('clients.create', { name, ...(consent ? { consent: { signedBy: name, scope: ['training'], ...consent } } : {}) })) as { client: { id: number } };
  return created.client.id;
}

beforeAll(async () => {
  h = await openApiHarness('summaries');
});
afterAll(() => h?.close());

describe('clients.summaries', () => {
  it('gives each client’s cover, consent, training and last activity in one call', async () => {
    const now = Date.now();
    const withWork = await client('Ada Work', { scope: ['training', 'generation'] });
    const bare = await client('Bo Bare');
    const expired = await client('Cy Expired', { signedAt: now - 48 * HOUR, expiresAt: now - HOUR });
    const revoked = await client('Di Revoked');
    const consent = h.studio.catalog.consents.create({ clientId: revoked, signedBy: 'Di', signedAt: now - HOUR, scope: ['training'], expiresAt: null });
    h.studio.catalog.consents.revoke(consent.id);

    const project = (await h.dispatcher.call('projects.create', { clientId: withWork, name: 'Headshots' })) as { id: number };
    await h.dispatcher.call('projects.create', { clientId: withWork, name: 'Second project' });
    const shoot = await writeShoot(mkdtempSync(join(h.root, 'shoot-')));
    const job = (await h.dispatcher.call('photos.import', { projectId: project.id, role: 'source', paths: shoot.sources.map((s) => s.photo) })) as Job;
    expect((await h.studio.jobs.waitFor(job.id)).state).toBe('done');
    const run = h.studio.catalog.trainingRuns.create({ projectId: project.id, config: {} });
    h.studio.catalog.trainingRuns.setState(run.id, 'running');

    const summaries = (await h.dispatcher.call('clients.summaries', { sort: 'name' })) as ClientSummary[];
    expect(summaries.map((s) => s.client.name)).toEqual(['Ada Work', 'Bo Bare', 'Cy Expired', 'Di Revoked']);
    const [first] = (await h.dispatcher.call('photos.list', { projectId: project.id, role: 'source' })) as Photo[];
    const work = summaries[0]!;
    expect(work).toMatchObject({ projectId: project.id, cover: first!.thumbnailBlob, training: 'running', consent: { state: 'in-force' } });
    expect(work.consent.scope.sort()).toEqual(['generation', 'training']);
    expect(work.lastActivity).toBeGreaterThanOrEqual(first!.createdAt);
    expect(summaries[1]).toMatchObject({ client: { id: bare }, projectId: null, cover: null, training: 'none', consent: { state: 'none', scope: [] } });
    expect(summaries[2]).toMatchObject({ client: { id: expired }, consent: { state: 'expired', scope: [] } });
    expect(summaries[3]).toMatchObject({ client: { id: revoked }, consent: { state: 'revoked', scope: [] } });
    expect(summaries[1]!.lastActivity).toBe(summaries[1]!.client.updatedAt);

    expect(((await h.dispatcher.call('clients.summaries', { search: 'expired' })) as ClientSummary[]).map((s) => s.client.id)).toEqual([expired]);
    await expect(h.dispatcher.call('clients.summaries', { sort: 'size' })).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/^expected sort to be one of name, newest, oldest, updated/) });
  });
});
