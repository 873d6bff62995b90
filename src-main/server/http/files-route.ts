// Library files by content hash: GET /files/<sha256> serves the file with the media type recorded when it was
// stored (never guessed from the bytes). Files never change, so they are cached forever under their hash.
// POST /files receives an upload (a photo from the browser) into the staging area and answers its hash.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';

import { ApiError } from '../../common/api/errors.js';
import { MAX_UPLOAD_BYTES } from '../../common/api/limits.js';
import type { Library } from '../../services/library/library.js';
import type { StagingArea } from '../api/staging.js';
import { checkDeclaredSize } from './body.js';
import { fail, sendJson } from './responses.js';

const SHA256 = /^[0-9a-f]{64}$/;
/** Shown in the page; anything else (a signed release as PDF, attention maps) is offered as a download. */
const INLINE = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/avif', 'image/tiff', 'image/gif']);

export async function serveFile(req: IncomingMessage, res: ServerResponse, library: Library, sha256: string): Promise<void> {
  if (!SHA256.test(sha256)) throw fail('invalid', `expected /files/<sha256> with 64 lowercase hex digits, received /files/${sha256.slice(0, 70)}`);
  const blob = library.catalog.blobs.find(sha256);
  if (!blob) throw fail('not_found', `file ${sha256.slice(0, 12)}… is not in this library`, 'It may have been deleted with its client; reload the page.');
  const path = library.blobs.pathOf(sha256);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw fail('not_found', `file ${sha256.slice(0, 12)}… is in the catalog but missing from the library folder`, 'Run `magicapture doctor` to check the library.');
  res.setHeader('ETag', `"${sha256}"`);
  res.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
  // A file is data, never a page: even if a browser were asked to render one, it gets no scripts and no origin.
  res.setHeader('Content-Security-Policy', "default-src 'none'; img-src 'self'; sandbox");
  if (req.headers['if-none-match'] === `"${sha256}"`) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.setHeader('Content-Type', INLINE.has(blob.mediaType) ? blob.mediaType : 'application/octet-stream');
  if (!INLINE.has(blob.mediaType)) res.setHeader('Content-Disposition', `attachment; filename="${sha256.slice(0, 16)}"`);
  res.setHeader('Content-Length', info.size);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await pipeline(createReadStream(path), res);
}

export async function receiveUpload(req: IncomingMessage, res: ServerResponse, staging: StagingArea): Promise<void> {
  const declared = checkDeclaredSize(req, MAX_UPLOAD_BYTES);
  if (declared) throw declared;
  try {
    sendJson(res, 201, { result: await staging.receive(req, MAX_UPLOAD_BYTES) });
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw fail('internal', 'the upload could not be stored', 'Check the free space of the temporary folder and try again.');
  }
}
