// The studio server on a real temp library: the client flow over HTTP (create, upload, import, list, files by
// hash), job events over the WebSocket, and every refusal a browser or a script can meet (bad params, unknown
// ids, traversal, oversized bodies, foreign hosts and origins) as JSON {code, message, hint} that changes nothing.
import { request } from 'node:http';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import type { ApiEvent, Job, Photo } from '../../src-main/common/api/index.js';
import { startStudioServer, type StudioServer } from '../../src-main/server/studio-server.js';
import { type ApiHarness, catalogFingerprint, openApiHarness } from './api-harness.js';
import { writePortrait } from '../helpers/studio-fixtures.js';

let h: ApiHarness;
let server: StudioServer;
let base: string;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request: no URL normalisation, any Host header, a body of any size or a lying Content-Length. */
function raw(path: string, options: { method?: string; headers?: Record<string, string | number>; body?: Buffer | string; port?: number; host?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: options.host ?? '127.0.0.1', port: options.port ?? server.port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

async function api(method: string, params: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: { result?: unknown; code?: string; message?: string; hint?: string } }> {
  const res = await fetch(`${base}/api/${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(params) });
  return { status: res.status, body: (await res.json()) as { result?: unknown } };
}

async function call<T>(method: string, params: unknown): Promise<T> {
  const { status, body } = await api(method, params);
  if (status !== 200) throw new Error(`${method}: ${status} ${JSON.stringify(body)}`);
  return body.result as T;
}

function openEvents(headers: Record<string, string> = {}): Promise<{ socket: WebSocket; events: ApiEvent[] }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/events`, { headers });
    const events: ApiEvent[] = [];
    socket.on('message', (data: Buffer) => events.push(JSON.parse(data.toString('utf8')) as ApiEvent));
    socket.once('open', () => resolve({ socket, events }));
    socket.once('error', reject);
  });
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  h = await openApiHarness('server');
  server = await startStudioServer({ dispatcher: h.dispatcher, library: h.studio.library, staging: h.staging, port: 0, rendererDir: join(h.root, 'no-renderer') });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => {
  await server?.close();
  await h?.close();
});

describe('the studio server', () => {
  it('creates a client, uploads and imports photos, lists them and serves their files, with job events on the socket', async () => {
    const { socket, events } = await openEvents();
    const detail = await call<{ client: { id: number }; consents: unknown[] }>('clients.create', { name: 'Chloé Martin', consent: { signedBy: 'Chloé Martin', scope: ['training', 'generation'] } });
    expect(detail.consents).toHaveLength(1);
    const project = await call<{ id: number }>('projects.create', { clientId: detail.client.id, name: 'Studio portraits' });

    const onDisk = await writePortrait(join(h.root, 'selfie-1.jpg'), [80, 64], [40, 30, 14], [[0.9, 0.7, 0.6], [0.3, 0.3, 0.3]]);
    const uploadBytes = await sharp(await writePortrait(join(h.root, 'upload.png'), [64, 80], [30, 40, 12], [[0.8, 0.6, 0.5], [0.2, 0.4, 0.3]])).png().toBuffer();
    const upload = await fetch(`${base}/files`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: uploadBytes });
    expect(upload.status).toBe(201);
    const { result: uploaded } = (await upload.json()) as { result: { sha256: string; size: number } };
    expect(uploaded.size).toBe(uploadBytes.length);

    const job = await call<Job>('photos.import', { projectId: project.id, role: 'source', paths: [onDisk], uploads: [{ sha256: uploaded.sha256, name: 'selfie 2.png' }] });
    expect([job.kind, job.state]).toEqual(['import', 'queued']);
    const done = await until('the import job to finish', () => events.find((e): e is Extract<ApiEvent, { type: 'job-state' }> => e.type === 'job-state' && e.job.id === job.id && e.job.state === 'done'));
    expect((done.job.result as { files: Array<{ status: string }> }).files.map((f) => f.status)).toEqual(['imported', 'imported']);
    expect(events.some((e) => e.type === 'job-state' && e.job.id === job.id && e.job.state === 'running')).toBe(true);
    expect(events.some((e) => e.type === 'job-progress' && e.id === job.id && e.progress.total === 2)).toBe(true);
    expect(events).toContainEqual({ type: 'catalog-changed', entity: 'photos', clientId: detail.client.id });
    socket.close();

    const photos = await call<Photo[]>('photos.list', { projectId: project.id });
    expect(photos.map((p) => [p.originalName, p.originalFormat, p.role])).toEqual([['selfie-1.jpg', 'jpeg', 'source'], ['selfie 2.png', 'png', 'source']]);
    const [jpeg, png] = photos as [Photo, Photo];
    const original = await fetch(`${base}/files/${jpeg.originalBlob}`);
    expect([original.status, original.headers.get('content-type')]).toEqual([200, 'image/jpeg']);
    expect(Buffer.from(await original.arrayBuffer()).equals(readFileSync(onDisk))).toBe(true);
    expect((await fetch(`${base}/files/${png.originalBlob}`)).headers.get('content-type')).toBe('image/png');
    const thumbnail = await fetch(`${base}/files/${png.thumbnailBlob}`);
    expect([thumbnail.headers.get('content-type'), thumbnail.headers.get('x-content-type-options'), thumbnail.headers.get('etag')]).toEqual(['image/webp', 'nosniff', `"${png.thumbnailBlob}"`]);
    expect((await fetch(`${base}/files/${png.thumbnailBlob}`, { headers: { 'If-None-Match': `"${png.thumbnailBlob}"` } })).status).toBe(304);
    // The staged upload went once its import was done.
    await until('the staged upload to be removed', () => (h.staging.root && !readdirSafe(h.staging.root).includes(uploaded.sha256) ? true : undefined));
  });

  it('answers bad requests with JSON errors and the right status, and changes nothing', async () => {
    const before = catalogFingerprint(h.studio);
    const cases: Array<[string, unknown, number, string, RegExp]> = [
      ['clients.create', { name: 7 }, 400, 'invalid', /expected name to be text of 1 to 200 characters, received 7/],
      ['clients.create', { name: '../../etc/passwd' }, 400, 'unsafe_path', /received "..\/..\/etc\/passwd"/],
      ['photos.import', { projectId: 1, role: 'source', paths: ['../../etc/passwd'] }, 400, 'unsafe_path', /an absolute path/],
      ['photos.import', { projectId: 1, role: 'source', uploads: [{ sha256: 'c'.repeat(64), name: '../../etc/passwd' }] }, 400, 'unsafe_path', /uploads\[0\]\.name/],
      ['clients.show', { clientId: 4242 }, 404, 'not_found', /client 4242 does not exist/],
      ['jobs.cancel', { jobId: 4242 }, 404, 'not_found', /job 4242 does not exist/],
      ['clients.remove', {}, 404, 'unknown_method', /expected an API method, received "clients.remove"/],
      ['dialog.open', { kind: 'photos' }, 503, 'unavailable', /desktop app/],
    ];
    for (const [method, params, status, code, message] of cases) {
      const { status: got, body } = await api(method, params);
      expect([method, got, body.code]).toEqual([method, status, code]);
      expect(body.message).toMatch(message);
      expect(typeof body.hint).toBe('string');
    }
    const notJson = await raw('/api/clients.list', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"search": ' });
    expect([notJson.status, JSON.parse(notJson.body).code]).toEqual([400, 'invalid']);
    const form = await raw('/api/clients.create', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{"name":"x"}' });
    expect([form.status, JSON.parse(form.body).code]).toEqual([415, 'unsupported_media_type']);
    const get = await raw('/api/clients.list');
    expect([get.status, get.headers['allow']]).toEqual([405, 'POST']);
    expect(catalogFingerprint(h.studio)).toBe(before);
  });

  it('refuses oversized payloads with 413 before reading them', async () => {
    const before = catalogFingerprint(h.studio);
    const big = JSON.stringify({ name: 'x'.repeat(300 * 1024) });
    const declared = await raw('/api/clients.create', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': 50_000_000 }, body: '{"name":' });
    expect([declared.status, JSON.parse(declared.body).code]).toEqual([413, 'too_large']);
    expect(JSON.parse(declared.body).message).toBe('expected a request body of at most 256 KiB, received more');
    const chunked = await raw('/api/clients.create', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, body: big });
    expect([chunked.status, JSON.parse(chunked.body).code]).toEqual([413, 'too_large']);
    const upload = await raw('/files', { method: 'POST', headers: { 'Content-Length': 600 * 2 ** 20 }, body: 'abc' });
    expect([upload.status, JSON.parse(upload.body).code]).toEqual([413, 'too_large']);
    // masks.save carries a whole mask, so its limit is larger: the same body reaches the params check instead.
    const mask = await api('masks.save', { photoId: 4242, png: 'A'.repeat(300 * 1024) });
    expect([mask.status, mask.body.code]).toEqual([404, 'not_found']);
    expect(catalogFingerprint(h.studio)).toBe(before);
  });

  it('refuses traversal in file and page paths', async () => {
    for (const path of ['/files/../../etc/passwd', '/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/files/..%2f..%2fetc%2fpasswd', '/assets\\..\\..\\x']) {
      const reply = await raw(path);
      expect([path, reply.status, JSON.parse(reply.body).code]).toEqual([path, 400, 'unsafe_path']);
    }
    const notHash = await raw('/files/etc-passwd');
    expect([notHash.status, JSON.parse(notHash.body).code]).toEqual([400, 'invalid']);
    const unknown = await raw(`/files/${'d'.repeat(64)}`);
    expect([unknown.status, JSON.parse(unknown.body).code]).toEqual([404, 'not_found']);
  });

  it('refuses other sites and other host names (DNS rebinding), over HTTP and WebSocket', async () => {
    const rebound = await raw('/api/system.info', { method: 'POST', headers: { Host: `evil.example:${server.port}`, 'Content-Type': 'application/json' }, body: '{}' });
    expect([rebound.status, JSON.parse(rebound.body).code]).toEqual([403, 'forbidden']);
    const page = await raw('/', { headers: { Host: 'evil.example' } });
    expect(page.status).toBe(403);
    const foreign = await api('clients.create', { name: 'Mallory' }, { Origin: 'http://evil.example' });
    expect([foreign.status, foreign.body.code]).toEqual([403, 'forbidden']);
    expect(((await call<unknown[]>('clients.list', {})) as Array<{ name: string }>).map((c) => c.name)).not.toContain('Mallory');
    await expect(openEvents({ Origin: 'http://evil.example' })).rejects.toThrow(/403/);
    const same = await openEvents({ Origin: `http://127.0.0.1:${server.port}` });
    same.socket.close();
  });

  it('puts the security headers on every response and serves a page saying the interface is not built', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toMatch(/interface is not built/);
    for (const reply of [page, await fetch(`${base}/api/nothing`, { method: 'POST' }), await fetch(`${base}/files/${'e'.repeat(64)}`)]) {
      expect(reply.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self'.*frame-ancestors 'none'/);
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
      expect(reply.headers.get('x-frame-options')).toBe('DENY');
      expect(reply.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('serves the renderer bundle with the right types, falling back to index.html for the UI routes', async () => {
    const dir = join(h.root, 'renderer');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/assets/app.js"></script>');
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir, 'assets', 'app.css'), 'body{}');
    const bundled = await startStudioServer({ dispatcher: h.dispatcher, library: h.studio.library, staging: h.staging, port: 0, rendererDir: dir });
    try {
      const at = (path: string) => fetch(`http://127.0.0.1:${bundled.port}${path}`);
      expect((await at('/')).headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect((await at('/assets/app.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect((await at('/assets/app.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
      expect(await (await at('/clients/3')).text()).toMatch(/assets\/app\.js/);
      expect((await at('/assets/missing.js')).status).toBe(404);
    } finally {
      await bundled.close();
    }
  });
});

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
