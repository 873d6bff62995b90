// Deleting a client from a real library: every row (cascades) and every file that only they used, found by
// scanning the folder afterwards; files shared with another client stay. Also: paths from users never leave
// the library folder.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { Library } from '../../src-main/services/library/index.js';

let dir: string;
let library: Library;

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

const solid = (r: number, g: number, b: number, size = 64) => sharp({ create: { width: size, height: size, channels: 3, background: { r, g, b } } });
const recipe = { baseModelHash: 'c'.repeat(64), prompt: 'A photo of a <sks> person with style <style1>', seed: 7, sampler: 'euler' as const, steps: 20, cfg: 7 };

/** Gives a client one of everything that owns a file: photos, a mask, a training run with output and checkpoints, a generation, an export, a signed release. */
async function furnish(name: string, colour: [number, number, number], sharedPhoto: Buffer) {
  const client = library.catalog.clients.create({ name });
  const project = library.catalog.projects.create({ clientId: client.id, name: `${name} headshots` });
  const own = await solid(...colour).jpeg().toBuffer();
  const results = await library.importPhotos(project.id, 'source', [
    { data: own, name: `${name}.jpg` },
    { data: sharedPhoto, name: 'studio-reference.jpg' },
  ]);
  const photo = results[0]!.status === 'imported' ? results[0]!.photo : undefined;
  await library.addMask({ photoId: photo!.id, origin: 'auto', model: 'face-parsing', png: await solid(colour[0], 0, 0).png().toBuffer() });
  const run = library.catalog.trainingRuns.create({ projectId: project.id, config: { steps: 10 } });
  writeFileSync(join(await library.checkpointsDir(run.id), 'step-10.safetensors'), `${name} checkpoint`);
  await library.addTrainingOutput({ trainingRunId: run.id, kind: 'lora', data: Buffer.from(`${name} lora weights`) });
  const generation = await library.addGeneration({ projectId: project.id, trainingRunId: run.id, recipe, image: await solid(0, colour[1], 0, 96).png().toBuffer(), attentionMaps: Buffer.from(`${name} maps`) });
  await library.addExport({ projectId: project.id, generationId: generation.id, data: await solid(0, 0, colour[2], 128).jpeg().toBuffer(), destination: `/delivery/${name}.jpg` });
  await library.addConsent({ clientId: client.id, signedBy: name, signedAt: Date.now(), scope: ['training'], release: { data: Buffer.from(`%PDF release signed by ${name}`), mediaType: 'application/pdf' } });
  return { client, project, run, own };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'magicapture-library-'));
  library = Library.open({ dir: join(dir, 'lib') });
});

afterEach(() => {
  library.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('deleting a client', () => {
  it('removes every row and every file that belonged only to them; shared files stay', async () => {
    const shared = await solid(128, 128, 128).jpeg().toBuffer();
    const ada = await furnish('ada', [200, 150, 100], shared);
    const bob = await furnish('bob', [50, 100, 250], shared);
    const adaFiles = library.catalog.blobs.listByClient(ada.client.id);
    const sharedHashes = adaFiles.filter((sha) => library.catalog.blobs.listByClient(bob.client.id).includes(sha));
    expect(sharedHashes.length).toBeGreaterThanOrEqual(3);

    const result = await library.deleteClient(ada.client.id);
    expect(result).toEqual({ removedFiles: adaFiles.length - sharedHashes.length, keptSharedFiles: sharedHashes.length });

    // Scan the folder: nothing of Ada's is left, by content or by name.
    const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
    const remaining = filesUnder(library.dir).filter((file) => file.startsWith('blobs') || file.startsWith('runs'));
    const contents = remaining.map((file) => readFileSync(join(library.dir, file)));
    expect(contents.some((data) => /ada (checkpoint|lora weights|maps)|signed by ada/.test(data.toString('latin1')))).toBe(false);
    expect(contents.some((data) => sha(data) === sha(ada.own))).toBe(false);
    for (const hash of adaFiles) expect(existsSync(library.blobs.pathOf(hash))).toBe(sharedHashes.includes(hash));
    expect(existsSync(join(library.dir, ada.run.checkpointsDir))).toBe(false);
    expect(existsSync(join(library.dir, bob.run.checkpointsDir))).toBe(true);

    // Every file on disk is a blob row still used by Bob; the catalog has no row of Ada's.
    const onDisk = remaining.filter((file) => file.startsWith('blobs')).map((file) => file.split(/[\\/]/).slice(1).join(''));
    expect(onDisk.sort()).toEqual(library.catalog.blobs.list().map((b) => b.sha256).sort());
    expect(onDisk.sort()).toEqual([...library.catalog.blobs.listByClient(bob.client.id)].sort());
    expect(() => library.catalog.clients.get(ada.client.id)).toThrow(/client \d+ does not exist/);
    expect(library.catalog.generations.count({ clientId: ada.client.id })).toBe(0);
  });

  it('an unknown client is a not_found and deletes nothing', async () => {
    await furnish('ada', [200, 150, 100], await solid(1, 2, 3).jpeg().toBuffer());
    const before = filesUnder(library.dir).filter((file) => file.startsWith('blobs')).length;
    await expect(library.deleteClient(999)).rejects.toMatchObject({ code: 'not_found' });
    expect(filesUnder(library.dir).filter((file) => file.startsWith('blobs'))).toHaveLength(before);
  });

  it('a refused row removes the files written for it', async () => {
    const client = library.catalog.clients.create({ name: 'Ada' });
    await expect(library.addConsent({ clientId: client.id, signedBy: 'Ada', signedAt: 1, scope: [], release: { data: Buffer.from('pdf'), mediaType: 'application/pdf' } })).rejects.toMatchObject({ code: 'invalid' });
    await expect(library.addGeneration({ projectId: 999, recipe, image: await solid(1, 1, 1).png().toBuffer() })).rejects.toMatchObject({ code: 'not_found' });
    expect(existsSync(join(library.dir, 'blobs')) ? filesUnder(join(library.dir, 'blobs')) : []).toEqual([]);
  });
});

describe('paths from users', () => {
  it('stay inside the library folder', () => {
    expect(library.resolve('runs/3/step-10.safetensors')).toBe(join(library.dir, 'runs', '3', 'step-10.safetensors'));
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    symlinkSync(outside, join(library.dir, 'link'));
    for (const path of ['../outside', '/etc/passwd', 'runs/../../outside', 'C:\\Windows\\win.ini', '..\\outside', '', 'link/secret.txt', 'a\u0000b']) {
      expect(() => library.resolve(path), JSON.stringify(path)).toThrow(/expected a path inside the library folder/);
    }
  });
});
