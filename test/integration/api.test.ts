// The API contract served by the dispatcher on a real studio (temp library, real SQLite and sharp): every method
// refuses bad params with a clear error and changes nothing; unknown ids, traversal in names and paths, and
// unknown methods are refused the same way; the contract agrees with the studio's own tables.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { API_METHODS, ApiError, type ApiMethod, PRESET_STEPS } from '../../src-main/common/api/index.js';
import { PRESET_STEPS as STUDIO_PRESET_STEPS } from '../../src-main/services/studio/index.js';
import { type ApiHarness, catalogFingerprint, openApiHarness } from './api-harness.js';

let h: ApiHarness;
let clientId: number;
let projectId: number;

async function refusal(method: string, params: unknown): Promise<ApiError> {
  const error = await h.dispatcher.call(method, params).then(
    (result) => new Error(`${method} accepted ${JSON.stringify(params)?.slice(0, 100)}: ${JSON.stringify(result)?.slice(0, 200)}`),
    (e: unknown) => e,
  );
  if (!(error instanceof ApiError)) throw error;
  return error;
}

beforeAll(async () => {
  h = await openApiHarness('api');
  const created = (await h.dispatcher.call('clients.create', { name: 'Anna Berg', email: 'anna@example.com', consent: { signedBy: 'Anna Berg', scope: ['training', 'generation'] } })) as { client: { id: number } };
  clientId = created.client.id;
  projectId = ((await h.dispatcher.call('projects.create', { clientId, name: 'Spring headshots' })) as { id: number }).id;
});
afterAll(() => h?.close());

describe('the API contract', () => {
  it('has a handler for every method and agrees with the studio on the training presets', () => {
    expect(API_METHODS.length).toBeGreaterThan(30);
    expect(PRESET_STEPS).toEqual(STUDIO_PRESET_STEPS);
  });

  it('refuses params of the wrong type for every method, says what it expected, and changes nothing', async () => {
    const before = catalogFingerprint(h.studio);
    for (const method of API_METHODS) {
      for (const params of ['nonsense', 42, [1, 2], { unexpected: true }]) {
        const error = await refusal(method, params);
        expect(error.code, `${method} ${JSON.stringify(params)}`).toBe('invalid');
        expect(error.message).toMatch(/expected .+|unexpected field "unexpected"/);
      }
    }
    expect(catalogFingerprint(h.studio)).toBe(before);
  });

  it('refuses fields of the wrong type with "expected …, received …"', async () => {
    const before = catalogFingerprint(h.studio);
    const cases: Array<[ApiMethod, unknown, RegExp]> = [
      ['clients.create', { name: 42 }, /expected name to be text of 1 to 200 characters, received 42/],
      ['clients.create', { name: '   ' }, /expected name to be text/],
      ['clients.create', { name: 'X', consent: { signedBy: 'X', scope: ['selling'] } }, /expected scope\[0\] to be one of training, generation/],
      ['clients.list', { sort: 'age' }, /expected sort to be one of name, newest, oldest, updated, received "age"/],
      ['clients.show', { clientId: '1' }, /expected clientId to be an integer from 1/],
      ['clients.show', { clientId: 0 }, /expected clientId to be an integer from 1/],
      ['clients.show', { clientId: 1.5 }, /received 1.5/],
      ['projects.create', { clientId, name: 'P', subjectToken: 'sks' }, /expected subjectToken to be a token like <sks>/],
      ['photos.import', { projectId, role: 'selfie', paths: ['/tmp/a.jpg'] }, /expected role to be one of source, reference/],
      ['photos.import', { projectId, role: 'source' }, /expected paths or uploads with at least one photo, received neither/],
      ['photos.import', { projectId, role: 'source', paths: [] }, /expected paths to be an array of 1 to 500 items/],
      ['photos.import', { projectId, role: 'source', uploads: [{ sha256: 'abc', name: 'a.jpg' }] }, /expected uploads\[0\]\.sha256 to be a SHA-256 hash/],
      ['masks.save', { photoId: 1, png: 'not base64!' }, /expected png to be a PNG file in base64/],
      ['masks.save', { photoId: 1 }, /expected the mask as png \(base64\) or as path \(a file\), received neither/],
      ['masks.save', { photoId: 1, png: 'AAAA', path: '/tmp/m.png' }, /received both/],
      ['masks.detect', {}, /expected projectId or photoId, received neither/],
      ['training.start', { projectId, preset: 'fast' }, /expected preset to be one of quick, standard, best/],
      ['training.start', { projectId, preset: 'quick', advanced: { stepsTi: 0, stepsLora: 0 } }, /expected at least one training step/],
      ['training.estimate', { projectId, preset: 'quick', advanced: { resolution: 100 } }, /multiple of 64/],
      ['generations.generate', { projectId, recipe: { prompt: 'p', steps: 0 } }, /expected recipe\.steps to be an integer from 1 to 150, received 0/],
      ['generations.generate', { projectId, recipe: { prompt: 'p', width: 65 } }, /multiple of 8/],
      ['generations.generate', { projectId, recipe: { prompt: 'p' }, count: 1000 }, /expected count to be an integer from 1 to 64/],
      ['generations.review', { generationIds: [1], rating: 6 }, /expected rating to be an integer from 1 to 5, received 6/],
      ['generations.review', { generationIds: [1, 1], rating: 3 }, /a list without repeats/],
      ['generations.review', { generationIds: [1] }, /at least one of rating, favourite, rejected, picked/],
      ['exports.create', { projectId, destination: '/tmp/out', format: 'png', quality: 90 }, /quality with format jpeg only/],
      ['jobs.list', { state: 'sleeping' }, /expected state to be one of queued, running/],
      ['settings.set', { key: 'Bad Key', value: 1 }, /expected key to be a dotted setting name/],
      ['settings.set', { key: 'ui.theme' }, /expected value to be any JSON value/],
      ['settings.setBaseModel', { path: '/models/sd15.safetensors', device: 'gpu' }, /expected device to be cpu or cuda:N/],
      ['dialog.open', { kind: 'anything' }, /expected kind to be one of photos, mask, folder/],
    ];
    for (const [method, params, message] of cases) {
      const error = await refusal(method, params);
      expect(error.code, method).toBe('invalid');
      expect(error.message, method).toMatch(message);
    }
    expect(catalogFingerprint(h.studio)).toBe(before);
  });

  it('refuses "../../etc/passwd" in every name and path, and relative paths', async () => {
    const before = catalogFingerprint(h.studio);
    const traversal = '../../etc/passwd';
    const cases: Array<[ApiMethod, unknown]> = [
      ['clients.create', { name: traversal }],
      ['clients.create', { name: '..' }],
      ['clients.update', { clientId, changes: { name: 'a\\b' } }],
      ['clients.create', { name: 'Ok', consent: { signedBy: 'Ok', scope: ['training'], releasePath: traversal } }],
      ['consents.record', { clientId, signedBy: traversal, scope: ['training'] }],
      ['projects.create', { clientId, name: traversal }],
      ['photos.import', { projectId, role: 'source', paths: [traversal] }],
      ['photos.import', { projectId, role: 'source', paths: ['/tmp/photos/../../etc/passwd'] }],
      ['photos.import', { projectId, role: 'source', paths: ['photos/a.jpg'] }],
      ['photos.import', { projectId, role: 'source', uploads: [{ sha256: 'a'.repeat(64), name: traversal }] }],
      ['masks.save', { photoId: 1, path: traversal }],
      ['exports.create', { projectId, destination: traversal }],
      ['exports.create', { projectId, destination: '/tmp/out/../../etc' }],
      ['settings.setBaseModel', { path: traversal }],
    ];
    for (const [method, params] of cases) {
      const error = await refusal(method, params);
      expect(error.code, `${method} ${JSON.stringify(params)}`).toBe('unsafe_path');
      expect(error.message).toMatch(/expected .* received/);
    }
    expect(catalogFingerprint(h.studio)).toBe(before);
  });

  it('refuses unknown ids with not_found and changes nothing', async () => {
    const before = catalogFingerprint(h.studio);
    const cases: Array<[ApiMethod, unknown]> = [
      ['clients.show', { clientId: 999 }],
      ['clients.update', { clientId: 999, changes: { notes: 'x' } }],
      ['clients.delete', { clientId: 999 }],
      ['consents.record', { clientId: 999, signedBy: 'X', scope: ['training'] }],
      ['consents.revoke', { consentId: 999 }],
      ['projects.create', { clientId: 999, name: 'P' }],
      ['projects.list', { clientId: 999 }],
      ['projects.show', { projectId: 999 }],
      ['projects.update', { projectId: 999, changes: { name: 'P' } }],
      ['photos.import', { projectId: 999, role: 'source', paths: ['/tmp/a.jpg'] }],
      ['photos.import', { projectId, role: 'source', uploads: [{ sha256: 'b'.repeat(64), name: 'a.jpg' }] }],
      ['photos.list', { projectId: 999 }],
      ['photos.show', { photoId: 999 }],
      ['photos.setRole', { photoId: 999, role: 'reference' }],
      ['masks.list', { photoId: 999 }],
      ['masks.save', { photoId: 999, png: 'iVBORw0KGgo=' }],
      ['masks.save', { photoId: 999, path: '/tmp/mask.png' }],
      ['masks.detect', { photoId: 999 }],
      ['masks.detect', { projectId: 999 }],
      ['training.estimate', { projectId: 999, preset: 'quick' }],
      ['training.list', { projectId: 999 }],
      ['training.pause', { trainingRunId: 999 }],
      ['training.resume', { trainingRunId: 999 }],
      ['training.cancel', { trainingRunId: 999 }],
      ['generations.list', { projectId: 999 }],
      ['generations.list', { clientId: 999 }],
      ['generations.show', { generationId: 999 }],
      ['generations.review', { generationIds: [999], favourite: true }],
      ['generations.reproduce', { generationId: 999 }],
      ['generations.attention', { generationId: 999 }],
      ['photos.preflight', { projectId: 999 }],
      ['exports.list', { projectId: 999 }],
      ['jobs.list', { clientId: 999 }],
      ['jobs.show', { jobId: 999 }],
      ['jobs.cancel', { jobId: 999 }],
      ['jobs.pause', { jobId: 999 }],
      ['jobs.resume', { jobId: 999 }],
    ];
    for (const [method, params] of cases) {
      const error = await refusal(method, params);
      expect(error.code, `${method} ${JSON.stringify(params)}`).toBe('not_found');
      expect(error.message).toMatch(/999|b{12}/);
    }
    expect(catalogFingerprint(h.studio)).toBe(before);
    // Every method that names something by id is in the list above, except the engine and export work that a
    // studio without hosts refuses first ("unavailable", below).
    const covered = new Set<string>(cases.map(([method]) => method));
    const withoutIds = ['clients.create', 'clients.list', 'clients.summaries', 'dialog.open', 'settings.get', 'settings.set', 'settings.setBaseModel', 'system.info'];
    const needHosts = ['exports.create', 'generations.generate', 'training.start'];
    expect(API_METHODS.filter((m) => !covered.has(m))).toEqual([...withoutIds, ...needHosts].sort());
    for (const [method, params] of [
      ['exports.create', { projectId: 999, destination: '/tmp/magicapture-delivery' }],
      ['generations.generate', { projectId: 999, recipe: { prompt: 'a portrait' } }],
    ] as const) {
      expect((await refusal(method, params)).code).toBe('unavailable');
    }
  });

  it('names the methods when one is unknown', async () => {
    const error = await refusal('clients.lst', {});
    expect(error.code).toBe('unknown_method');
    expect(error.message).toBe('expected an API method, received "clients.lst"');
    expect(error.hint).toMatch(/clients\.list/);
    expect((await refusal('__proto__', {})).code).toBe('unknown_method');
  });

  it('lists clients by search and sort, and estimates what would stop a training', async () => {
    await h.dispatcher.call('clients.create', { name: 'bruno Costa', notes: 'wedding in June' });
    const byName = (await h.dispatcher.call('clients.list', {})) as Array<{ name: string }>;
    expect(byName.map((c) => c.name)).toEqual(['Anna Berg', 'bruno Costa']);
    const found = (await h.dispatcher.call('clients.list', { search: 'JUNE' })) as Array<{ name: string; id: number }>;
    expect(found.map((c) => c.name)).toEqual(['bruno Costa']);
    const newest = (await h.dispatcher.call('clients.list', { sort: 'newest' })) as Array<{ name: string }>;
    expect(newest[0]?.name).toBe('bruno Costa');
    const bruno = found[0]!.id;
    const project = (await h.dispatcher.call('projects.create', { clientId: bruno, name: 'Wedding' })) as { id: number };
    const estimate = (await h.dispatcher.call('training.estimate', { projectId: project.id, preset: 'standard' })) as { steps: { total: number }; problems: string[] };
    expect(estimate.steps.total).toBe(2700);
    expect(estimate.problems.join('\n')).toMatch(/bruno Costa has no consent to training in force[^]*no selfies/);
    // This studio runs without its engine host, so a training is refused before anything is written.
    const before = catalogFingerprint(h.studio);
    const error = await refusal('training.start', { projectId: project.id, preset: 'quick' });
    expect([error.code, error.message]).toEqual(['unavailable', 'expected a studio that can run train jobs, received one opened without its engine and media hosts']);
    expect(catalogFingerprint(h.studio)).toBe(before);
  });
});
