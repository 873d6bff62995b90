// The model manager against a local HTTP server the test starts: a download interrupted midway resumes with a
// Range request, a corrupt file is refused and leaves nothing installed, imports get the same checks, and the
// licence's commercial-use flag reaches the catalog.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { type Catalog, openCatalog } from '../../src-main/services/catalog/index.js';
import { loadManifest, type ManifestEntry, ModelError, ModelManager } from '../../src-main/services/models/index.js';

const payload = randomBytes(1 << 20);
const payloadHash = createHash('sha256').update(payload).digest('hex');

interface Server {
  url: string;
  ranges: Array<string | undefined>;
  /** When set, the next response stops after this many bytes and the socket is destroyed. */
  cutAfter: number | null;
  body: Buffer;
  /** Answer every request with the whole file (200), as servers without Range support do. */
  ignoreRange: boolean;
  close(): Promise<void>;
}

async function serve(): Promise<Server> {
  const state = { ranges: [] as Array<string | undefined>, cutAfter: null as number | null, body: payload, ignoreRange: false };
  const server = http.createServer((req, res) => {
    state.ranges.push(req.headers.range);
    const match = state.ignoreRange ? null : /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const from = match ? Number(match[1]) : 0;
    if (from >= state.body.length && match) {
      res.writeHead(416, { 'Content-Range': `bytes */${state.body.length}` }).end();
      return;
    }
    const slice = state.body.subarray(from);
    res.writeHead(match ? 206 : 200, { 'Content-Length': slice.length, ...(match ? { 'Content-Range': `bytes ${from}-${state.body.length - 1}/${state.body.length}` } : {}) });
    if (state.cutAfter !== null) {
      const cut = state.cutAfter;
      state.cutAfter = null;
      res.write(slice.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 50));
      return;
    }
    res.end(slice);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/model.onnx`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

let dir: string;
let catalog: Catalog;
let server: Server;

function entry(over: Partial<ManifestEntry> = {}): ManifestEntry {
  return { name: 'test_parser', purpose: 'parsing', url: server.url, sha256: payloadHash, size: payload.length, licence: 'MIT', commercialUse: true, input: {}, output: {}, ...over };
}

async function refused(work: Promise<unknown>, code: string): Promise<ModelError> {
  const error = await work.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ModelError);
  expect((error as ModelError).code).toBe(code);
  return error as ModelError;
}

function modelFiles(manager: ModelManager): string[] {
  return existsSync(manager.dir) ? readdirSync(manager.dir).filter((f) => !f.startsWith('.')) : [];
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'magicapture-models-'));
  catalog = openCatalog(join(dir, 'catalog.sqlite'));
  server = await serve();
});

afterEach(async () => {
  catalog.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('manifest', () => {
  it('lists every purpose the studio needs, with licences, and no invented hashes', () => {
    const manifest = loadManifest();
    expect(new Set(manifest.map((e) => e.purpose))).toEqual(new Set(['checkpoint', 'detector', 'parsing', 'recognition', 'restoration', 'upscaler']));
    for (const e of manifest) {
      expect(e.licence.length).toBeGreaterThan(0);
      if (e.sha256 === null) expect(e.unverified).toBeTruthy();
    }
  });
});

describe('download', () => {
  it('resumes an interrupted download with a Range request and installs the verified file', async () => {
    const manager = new ModelManager(dir, catalog.models, [entry()]);
    server.cutAfter = 300_000;
    await refused(manager.install('test_parser'), 'download_failed');
    expect(modelFiles(manager)).toEqual([]);
    expect(catalog.models.list()).toEqual([]);

    const seen: number[] = [];
    const model = await manager.install('test_parser', {}, { onProgress: (p) => seen.push(p.received) });
    expect(server.ranges[0]).toBeUndefined();
    expect(server.ranges[1]).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(server.ranges[1]!)![0])).toBeGreaterThan(0);
    expect(Math.min(...seen)).toBeGreaterThan(0);
    expect(model).toMatchObject({ name: 'test_parser', purpose: 'face_parsing', sha256: payloadHash, licence: 'MIT', commercialUse: true });
    expect(readFileSync(model.path).equals(payload)).toBe(true);
    expect(model.path.endsWith('-test_parser.onnx')).toBe(true);
    expect(readdirSync(join(manager.dir, '.partial'))).toEqual([]);
  });

  it('starts over when the server ignores Range, instead of appending a second copy', async () => {
    const manager = new ModelManager(dir, catalog.models, [entry()]);
    server.cutAfter = 200_000;
    await refused(manager.install('test_parser'), 'download_failed');
    server.ignoreRange = true;
    const model = await manager.install('test_parser');
    expect(server.ranges[1]).toMatch(/^bytes=/);
    expect(readFileSync(model.path).equals(payload)).toBe(true);
  });

  it('refuses a corrupt file and installs nothing', async () => {
    const manager = new ModelManager(dir, catalog.models, [entry()]);
    server.body = Buffer.from(payload);
    server.body[1234] ^= 0xff;
    const error = await refused(manager.install('test_parser'), 'hash_mismatch');
    expect(error.message).toContain(`expected SHA-256 ${payloadHash}`);
    expect(modelFiles(manager)).toEqual([]);
    expect(readdirSync(join(manager.dir, '.partial'))).toEqual([]);
    expect(catalog.models.list()).toEqual([]);
  });

  it('needs confirmation for an unverified hash and for a non-commercial licence', async () => {
    const manager = new ModelManager(dir, catalog.models, [entry({ sha256: null, size: null, commercialUse: false, licence: 'non-commercial research only' })]);
    await refused(manager.install('test_parser'), 'needs_confirmation');
    await refused(manager.install('test_parser', { acceptUnverified: true }), 'needs_confirmation');
    expect(server.ranges).toEqual([]);
    const model = await manager.install('test_parser', { acceptUnverified: true, acknowledgeNonCommercial: true });
    expect(model.sha256).toBe(payloadHash);
    expect(model.commercialUse).toBe(false);
    expect(manager.list()[0]?.installed?.licence).toBe('non-commercial research only');
  });
});

describe('import and removal', () => {
  it('imports a file from disk with the same hash check, then uninstalls it', async () => {
    const manager = new ModelManager(dir, catalog.models, [entry()]);
    const bad = join(dir, 'bad.onnx');
    writeFileSync(bad, payload.subarray(1));
    await refused(manager.importFile({ path: bad, name: 'test_parser' }), 'size_mismatch');
    const good = join(dir, 'good.onnx');
    writeFileSync(good, payload);
    const model = await manager.importFile({ path: good, name: 'test_parser' });
    expect(model.sha256).toBe(payloadHash);
    await refused(manager.importFile({ path: good, name: 'test_parser' }), 'already_installed');
    await manager.uninstall('test_parser');
    expect(catalog.models.list()).toEqual([]);
    expect(existsSync(model.path)).toBe(false);
    expect(existsSync(good)).toBe(true);
  });

  it('imports a model not in the manifest with its own licence and hash', async () => {
    const manager = new ModelManager(dir, catalog.models, []);
    const file = join(dir, 'mine.onnx');
    writeFileSync(file, payload);
    await refused(manager.importFile({ path: file, name: 'mine', purpose: 'upscaler', licence: 'BSD-3-Clause', commercialUse: true, sha256: 'f'.repeat(64) }), 'hash_mismatch');
    const model = await manager.importFile({ path: file, name: 'mine', purpose: 'upscaler', licence: 'BSD-3-Clause', commercialUse: true, sha256: payloadHash });
    expect(model.purpose).toBe('super_resolution');
    expect(manager.hostModels()).toEqual([{ name: 'mine', purpose: 'upscaler', path: model.path, sha256: payloadHash }]);
  });
});
