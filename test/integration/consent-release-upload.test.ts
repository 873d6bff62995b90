// A signed release sent from a browser: the bytes are staged like a photo upload (POST /files), then
// clients.create / consents.record name them with releaseUpload; the release becomes a library blob with its
// media type, the staged copy is gone, and a refused consent leaves neither a client nor a file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ClientDetail, Consent } from '../../src-main/common/api/index.js';
import { type ApiHarness, catalogFingerprint, openApiHarness } from './api-harness.js';

let h: ApiHarness;
const PDF = Buffer.from('%PDF-1.4\n% a signed model release\n%%EOF\n');

async function upload(bytes: Buffer): Promise<string> {
  return (await h.staging.receive(Readable.from([bytes]), 2 ** 20)).sha256;
}

beforeAll(async () => {
  h = await openApiHarness('release-upload');
});
afterAll(() => h?.close());

describe('consent releases uploaded from a browser', () => {
  it('keeps an uploaded release as a library blob and drops the staged copy', async () => {
    const sha256 = await upload(PDF);
    const detail = (await h.dispatcher.call('clients.create', {
      name: 'Rosa Upload',
      consent: { signedBy: 'Rosa Upload', scope: ['training'], releaseUpload: { sha256, name: 'release.pdf' } },
    })) as ClientDetail;
    const [consent] = detail.consents;
    expect(consent!.releaseBlob).toBe(sha256);
    expect(readFileSync(h.studio.library.filePath(sha256))).toEqual(PDF);
    expect(h.studio.catalog.blobs.get(sha256).mediaType).toBe('application/pdf');
    expect(existsSync(join(h.staging.root, sha256))).toBe(false);

    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from('a photo of the paper form')]);
    const second = await upload(photo);
    const recorded = (await h.dispatcher.call('consents.record', { clientId: detail.client.id, signedBy: 'Rosa Upload', scope: ['generation'], releaseUpload: { sha256: second, name: 'form.JPG' } })) as Consent;
    expect(recorded.releaseBlob).toBe(second);
    expect(h.studio.catalog.blobs.get(second).mediaType).toBe('image/jpeg');
  });

  it('refuses both kinds of release at once, a missing upload and a file type it does not keep, changing nothing', async () => {
    const sha256 = await upload(Buffer.from('plain text, not a release'));
    const before = catalogFingerprint(h.studio);
    const consent = { signedBy: 'X', scope: ['training'] };
    await expect(h.dispatcher.call('clients.create', { name: 'Both', consent: { ...consent, releasePath: '/tmp/r.pdf', releaseUpload: { sha256, name: 'r.pdf' } } })).rejects.toMatchObject({
      code: 'invalid',
      message: 'expected one signed release, releasePath or releaseUpload, received both',
    });
    await expect(h.dispatcher.call('clients.create', { name: 'Bad hash', consent: { ...consent, releaseUpload: { sha256: 'abc', name: 'r.pdf' } } })).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/^expected releaseUpload\.sha256 to be a SHA-256 hash/),
    });
    await expect(h.dispatcher.call('clients.create', { name: 'Missing', consent: { ...consent, releaseUpload: { sha256: 'f'.repeat(64), name: 'r.pdf' } } })).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.dispatcher.call('clients.create', { name: 'Text', consent: { ...consent, releaseUpload: { sha256, name: 'notes.txt' } } })).rejects.toMatchObject({
      code: 'bad_file',
      message: expect.stringMatching(/^expected the signed release as PDF, JPEG, PNG, WebP or TIFF, received .*notes\.txt$/),
    });
    expect(catalogFingerprint(h.studio)).toBe(before);
    // The refused upload's staged copy went too; nothing of it reached the library.
    expect(readdirSync(h.staging.root)).not.toContain(sha256);
  });
});
