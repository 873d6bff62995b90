// Request bodies with a hard size limit: a declared Content-Length over the limit is refused before one byte
// is read, and a chunked body is cut off the moment it passes the limit, so an oversized payload never reaches
// the JSON parser or memory.
import type { IncomingMessage } from 'node:http';

import type { ApiError } from '../../common/api/errors.js';
import { fail } from './responses.js';

function tooLarge(limit: number): ApiError {
  const size = limit >= 2 ** 20 ? `${limit / 2 ** 20} MiB` : `${limit / 1024} KiB`;
  return fail('too_large', `expected a request body of at most ${size}, received more`, 'Send less at once (fewer photos or ids per call).');
}

/** Refuses a body whose declared size is over the limit (checked before reading). */
export function checkDeclaredSize(req: IncomingMessage, limit: number): ApiError | undefined {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return tooLarge(limit);
  return undefined;
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The JSON params of an API call: an empty body is no params; anything but a JSON object or array is refused. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw fail('unsupported_media_type', `expected Content-Type application/json, received ${JSON.stringify(type || 'none')}`, 'Send the params as a JSON object.');
  }
  const body = await readBody(req, limit);
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw fail('invalid', 'expected the params as JSON, received text that is not JSON', 'Send the params as a JSON object, e.g. {"clientId": 3}.');
  }
}
