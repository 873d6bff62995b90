// studio://app/ — where the desktop window loads the renderer bundle and library files from, so the page uses
// the same relative URLs (files/<sha256>) as in a browser on the studio server, and never touches file://.
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';

import { protocol } from 'electron';

import { APP_SCHEME } from '../common/api/bridge.js';
import type { Library } from '../services/library/library.js';
import { resolveInside } from '../services/library/safe-path.js';

/** Like the studio server's, without the WebSocket: the desktop page gets events over IPC. */
export const DESKTOP_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};
const SHA256 = /^[0-9a-f]{64}$/;
const NOT_BUILT = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>MagiCapture Studio</title></head><body><h1>MagiCapture Studio</h1><p>The interface is not built: there is no dist-renderer/ folder next to the app.</p></body></html>';

/** Must run before app is ready: a standard, secure scheme gets an origin, so 'self' in the CSP means it. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

function reply(status: number, body: ConstructorParameters<typeof Response>[0], type: string, extra: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { 'Content-Type': type, 'Content-Security-Policy': DESKTOP_CSP, 'X-Content-Type-Options': 'nosniff', ...extra } });
}

async function libraryFile(library: Library, sha256: string): Promise<Response> {
  const blob = SHA256.test(sha256) ? library.catalog.blobs.find(sha256) : undefined;
  if (!blob) return reply(404, 'not in this library', 'text/plain');
  const data = await readFile(library.blobs.pathOf(sha256)).catch(() => undefined);
  if (!data) return reply(404, 'missing from the library folder', 'text/plain');
  return reply(200, data, blob.mediaType, { 'Cache-Control': 'private, max-age=31536000, immutable' });
}

export function handleAppProtocol(rendererDir: string, library: () => Library | undefined): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'app' || request.method !== 'GET') return reply(404, 'not found', 'text/plain');
    const current = library();
    if (url.pathname.startsWith('/files/') && current) return libraryFile(current, url.pathname.slice('/files/'.length));
    try {
      const relative = decodeURIComponent(url.pathname).replace(/^\/+/, '') || 'index.html';
      // Unknown paths without an extension are the UI's own routes: they get the page.
      const path = extname(relative) === '' ? join(rendererDir, 'index.html') : resolveInside(rendererDir, relative);
      return reply(200, await readFile(path), TYPES[extname(path)] ?? 'application/octet-stream');
    } catch {
      if (extname(url.pathname) === '') return reply(200, NOT_BUILT, 'text/html; charset=utf-8');
      return reply(404, 'not found', 'text/plain');
    }
  });
}
