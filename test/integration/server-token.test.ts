// The access token: a server reachable from other machines (bound to 0.0.0.0) refuses every request without it
// (401), accepts it as a Bearer header or as the cookie set by visiting the printed URL, and so does a loopback
// server that was given one. A loopback server without a token needs none.
import { statSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { issueToken } from '../../src-main/server/server-token.js';
import { startStudioServer, type StudioServer } from '../../src-main/server/studio-server.js';
import { type ApiHarness, openApiHarness } from './api-harness.js';

let h: ApiHarness;

/** The machine's first non-loopback IPv4 address, or loopback where the machine has none (a bare container). */
function reachableAddress(): string {
  for (const list of Object.values(networkInterfaces())) for (const info of list ?? []) if (info.family === 'IPv4' && !info.internal) return info.address;
  return '127.0.0.1';
}

function post(base: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/api/system.info`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{}', redirect: 'manual' });
}

function socket(url: string, headers: Record<string, string>): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => undefined);
  });
}

beforeAll(async () => {
  h = await openApiHarness('server-token');
});
afterAll(() => h?.close());

describe('the studio server access token', () => {
  it('is required to bind anything but loopback, and stored readable by its owner only', async () => {
    await expect(startStudioServer({ dispatcher: h.dispatcher, library: h.studio.library, staging: h.staging, host: '0.0.0.0', port: 0 })).rejects.toThrow(/expected an access token/);
    const { token, file } = await issueToken(join(h.root, 'user-data'));
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  describe('on a server bound to 0.0.0.0', () => {
    let server: StudioServer;
    let token: string;
    let base: string;

    beforeAll(async () => {
      ({ token } = await issueToken(join(h.root, 'user-data')));
      server = await startStudioServer({ dispatcher: h.dispatcher, library: h.studio.library, staging: h.staging, host: '0.0.0.0', port: 0, token });
      base = `http://${reachableAddress()}:${server.port}`;
    });
    afterAll(() => server?.close());

    it('prints a URL with the token', () => {
      expect(server.url).toMatch(new RegExp(`^http://[^/]+:${server.port}/\\?token=${token}$`));
    });

    it('refuses requests without the token or with a wrong one (401), and accepts the Bearer header', async () => {
      const none = await post(base);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await none.json()).toMatchObject({ code: 'unauthorized', message: "expected the studio's access token, received none", hint: expect.stringMatching(/\?token=/) });
      expect((await post(base, { Authorization: 'Bearer wrong' })).status).toBe(401);
      expect((await fetch(`${base}/`)).status).toBe(401);
      expect((await fetch(`${base}/files/${'a'.repeat(64)}`)).status).toBe(401);
      const ok = await post(base, { Authorization: `Bearer ${token}` });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { result: { mode: string } }).result.mode).toBe('server');
    });

    it('turns ?token= into an HttpOnly cookie and takes it out of the address', async () => {
      expect((await fetch(`${base}/?token=wrong`, { redirect: 'manual' })).status).toBe(401);
      const visit = await fetch(`${base}/clients?token=${token}`, { redirect: 'manual' });
      expect([visit.status, visit.headers.get('location')]).toEqual([303, '/clients']);
      const cookie = visit.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/^magicapture_token=[^;]+; Path=\/; HttpOnly; SameSite=Strict$/);
      const pair = cookie.split(';')[0] as string;
      expect((await post(base, { Cookie: pair })).status).toBe(200);
      expect((await fetch(`${base}/`, { headers: { Cookie: pair } })).status).toBe(200);
      expect((await post(base, { Cookie: 'magicapture_token=wrong' })).status).toBe(401);
    });

    it('refuses the event socket without the token', async () => {
      const url = `ws://${reachableAddress()}:${server.port}/api/events`;
      expect(await socket(url, {})).toBe(401);
      expect(await socket(url, { Authorization: `Bearer ${token}` })).toBe('open');
    });
  });

  it('asks for a configured token on loopback too, and for none when none is configured', async () => {
    const guarded = await startStudioServer({ dispatcher: h.dispatcher, library: h.studio.library, staging: h.staging, port: 0, token: 'local-secret' });
    const open = await startStudioServer({ dispatcher: h.dispatcher, library: h.studio.library, staging: h.staging, port: 0 });
    try {
      expect((await post(`http://127.0.0.1:${guarded.port}`)).status).toBe(401);
      expect((await post(`http://localhost:${guarded.port}`, { Authorization: 'Bearer local-secret' })).status).toBe(200);
      expect(open.url).toBe(`http://127.0.0.1:${open.port}/`);
      expect((await post(`http://127.0.0.1:${open.port}`)).status).toBe(200);
    } finally {
      await guarded.close();
      await open.close();
    }
  });
});
