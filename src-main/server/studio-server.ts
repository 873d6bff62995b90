// The headless studio server (`magicapture serve`): the API over HTTP (POST /api/<method> with JSON params),
// its events over a WebSocket (/api/events), library files by hash (GET /files/<sha256>), uploads (POST /files)
// and the renderer bundle, so the whole studio runs in a browser. Loopback by default; any other address needs
// the access token on every request. Every refusal is JSON {code, message, hint} with its HTTP status.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';

import { rulesOf } from '../common/api/contract.js';
import { ApiError, toApiError } from '../common/api/errors.js';
import { MAX_REQUEST_BYTES } from '../common/api/limits.js';
import type { Library } from '../services/library/library.js';
import type { ApiDispatcher } from './api/dispatcher.js';
import type { StagingArea } from './api/staging.js';
import { checkDeclaredSize, readJson } from './http/body.js';
import { EventsSocket } from './http/events-socket.js';
import { receiveUpload, serveFile } from './http/files-route.js';
import { fail, sendError, sendJson, setSecurityHeaders } from './http/responses.js';
import { allowedHosts, checkHost, checkOrigin, checkToken, isLoopback, sameToken, tokenCookie } from './http/security.js';
import { serveStatic } from './http/static-route.js';
import { packageRoot } from './package-root.js';

export const DEFAULT_PORT = 4747;

export interface StudioServerOptions {
  dispatcher: ApiDispatcher;
  library: Library;
  staging: StagingArea;
  /** Default 127.0.0.1. Any other address requires `token`. */
  host?: string;
  /** Default 4747; 0 picks a free port. */
  port?: number;
  /** Required on every request when set (and it must be set for a non-loopback address). */
  token?: string | null;
  /** Default <package>/dist-renderer. */
  rendererDir?: string;
}

export interface StudioServer {
  /** The address to open: a LAN address for a wildcard bind, with ?token=… when a token is required. */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/** ".." segments, encoded dots or slashes, backslashes: a path that means something else once decoded is refused. */
const SUSPICIOUS_PATH = /(^|\/)(\.|%2e){1,2}(\/|$)|%2f|%5c|\\|%00/i;

function lanAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) if (info.family === 'IPv4' && !info.internal) return info.address;
  }
  return '127.0.0.1';
}

export async function startStudioServer(options: StudioServerOptions): Promise<StudioServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? null;
  if (!isLoopback(host) && token === null) {
    throw new ApiError('invalid', `expected an access token for a server reachable from other machines, received none for ${host}`, 'Let `magicapture serve` generate one, or bind 127.0.0.1.');
  }
  const rendererDir = options.rendererDir ?? join(packageRoot(), 'dist-renderer');
  const { dispatcher, library, staging } = options;
  const events = new EventsSocket(dispatcher);
  let allowed = new Set<string>();

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusedHost = checkHost(req, allowed);
    if (refusedHost) throw refusedHost;
    const raw = req.url ?? '/';
    if (!raw.startsWith('/') || SUSPICIOUS_PATH.test(raw.split('?')[0] as string)) {
      throw fail('unsafe_path', `expected a path without "..", encoded slashes or backslashes, received ${JSON.stringify(raw.slice(0, 80))}`);
    }
    const url = new URL(raw, 'http://studio.invalid');
    if (token !== null && url.searchParams.has('token') && (req.method === 'GET' || req.method === 'HEAD')) {
      if (!sameToken(url.searchParams.get('token') ?? undefined, token)) throw checkToken(req, token) ?? fail('unauthorized', 'expected the studio\'s access token, received a different one');
      // The token moves into an HttpOnly cookie and out of the address bar (and out of history and Referer).
      url.searchParams.delete('token');
      res.setHeader('Set-Cookie', tokenCookie(token));
      res.setHeader('Location', `${url.pathname}${url.search}`);
      res.statusCode = 303;
      res.end();
      return;
    }
    const refusedToken = checkToken(req, token);
    if (refusedToken) throw refusedToken;
    const { pathname } = url;

    if (pathname.startsWith('/api/')) {
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        throw fail('method_not_allowed', `expected POST ${pathname} with JSON params, received ${req.method ?? 'nothing'}`, pathname === '/api/events' ? 'Open /api/events as a WebSocket.' : '');
      }
      const refusedOrigin = checkOrigin(req);
      if (refusedOrigin) throw refusedOrigin;
      const method = pathname.slice('/api/'.length);
      const limit = rulesOf(method).maxBytes ?? MAX_REQUEST_BYTES;
      const tooLarge = checkDeclaredSize(req, limit);
      if (tooLarge) throw tooLarge;
      const params = await readJson(req, limit);
      sendJson(res, 200, { result: await dispatcher.call(method, params) });
      return;
    }
    if (pathname === '/files') {
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        throw fail('method_not_allowed', `expected POST /files with a photo's bytes, received ${req.method ?? 'nothing'}`);
      }
      const refusedOrigin = checkOrigin(req);
      if (refusedOrigin) throw refusedOrigin;
      await receiveUpload(req, res, staging);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      throw fail('method_not_allowed', `expected GET ${pathname}, received ${req.method ?? 'nothing'}`);
    }
    if (pathname.startsWith('/files/')) await serveFile(req, res, library, pathname.slice('/files/'.length));
    else await serveStatic(req, res, rendererDir, pathname);
  }

  const server = createServer((req, res) => {
    setSecurityHeaders(req, res);
    route(req, res).catch((error: unknown) => {
      const apiError = toApiError(error);
      if (apiError.code === 'internal') console.error(`[server] ${req.method} ${req.url}:`, error);
      // A refused body may still be arriving: close the connection rather than read what was refused.
      if (!req.complete) res.setHeader('Connection', 'close');
      sendError(res, apiError);
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    const refusal = checkHost(req, allowed) ?? checkOrigin(req) ?? checkToken(req, token)
      ?? (path === '/api/events' ? undefined : fail('not_found', `expected a WebSocket at /api/events, received ${JSON.stringify(path)}`));
    events.upgrade(req, socket, head, refusal);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  allowed = allowedHosts(host, port);
  const shown = host === '0.0.0.0' || host === '::' ? lanAddress() : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/${token === null ? '' : `?token=${token}`}`,
    host,
    port,
    close: async () => {
      await events.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
