// The renderer bundle (dist-renderer/), the same one Electron loads, so the studio works in any browser. Paths
// that are not files fall back to index.html (the UI routes in the page). Without a bundle a short page says so.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';

import { resolveInside } from '../../services/library/safe-path.js';
import { fail } from './responses.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MagiCapture Studio</title></head>
<body><h1>MagiCapture Studio</h1>
<p>The studio server is running, but its interface is not built: there is no <code>dist-renderer/</code> folder.</p>
<p>Build the renderer, then reload this page. The API answers at <code>POST /api/&lt;method&gt;</code> meanwhile.</p>
</body></html>
`;

async function fileAt(path: string): Promise<number | undefined> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ? info.size : undefined;
}

export async function serveStatic(req: IncomingMessage, res: ServerResponse, rendererDir: string, pathname: string): Promise<void> {
  const index = join(rendererDir, 'index.html');
  if ((await fileAt(index)) === undefined) {
    if (extname(pathname) !== '' && pathname !== '/index.html') throw fail('not_found', `expected a file of the interface, received ${pathname}, and the interface is not built`);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(req.method === 'HEAD' ? undefined : NOT_BUILT);
    return;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    throw fail('invalid', `expected a path with valid %-escapes, received ${JSON.stringify(pathname.slice(0, 80))}`);
  }
  const relativePath = decoded.replace(/^\/+/, '') || 'index.html';
  let path = resolveInside(rendererDir, relativePath);
  let size = await fileAt(path);
  if (size === undefined) {
    if (extname(relativePath) !== '') throw fail('not_found', `expected a file of the interface, received ${pathname}, which it does not have`);
    path = index;
    size = await fileAt(index);
  }
  res.setHeader('Content-Type', TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream');
  res.setHeader('Content-Length', size ?? 0);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await pipeline(createReadStream(path), res);
}
