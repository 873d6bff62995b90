// Resumable download into a ".partial" file: a second call after an interruption asks the server only for the
// missing bytes (HTTP Range). Whether the bytes are the right ones is decided afterwards by the SHA-256 of the
// whole file, so a server that ignores Range (200 instead of 206) only costs a fresh start.
import { createReadStream, createWriteStream } from 'node:fs';
import { stat, truncate } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

import { ModelError } from './model-error.js';

export interface DownloadProgress {
  received: number;
  total: number | null;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /** Redirects followed (release hosts redirect to a CDN). */
  maxRedirects?: number;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

function request(url: string, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<http.IncomingMessage> {
  const get = url.startsWith('https:') ? https.get : http.get;
  return new Promise((resolve, reject) => {
    const req = get(url, { headers, ...(signal ? { signal } : {}) }, resolve);
    req.on('error', reject);
  });
}

async function open(url: string, from: number, options: DownloadOptions): Promise<http.IncomingMessage> {
  let target = url;
  for (let hop = 0; hop <= (options.maxRedirects ?? 5); hop++) {
    const res = await request(target, from > 0 ? { Range: `bytes=${from}-` } : {}, options.signal);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      target = new URL(res.headers.location, target).toString();
      continue;
    }
    return res;
  }
  throw new ModelError('download_failed', `expected at most ${options.maxRedirects ?? 5} redirects from ${url}, received more`);
}

/** Appends the missing bytes of `url` to `partPath`; returns the file's size when the server says it is complete. */
export async function downloadResumable(url: string, partPath: string, options: DownloadOptions = {}): Promise<number> {
  let have = await sizeOf(partPath);
  const res = await open(url, have, options);
  const status = res.statusCode ?? 0;
  if (status === 416 && have > 0) {
    res.resume();
    return have; // The partial file already holds every byte; the hash check decides whether they are right.
  }
  if (status === 200 && have > 0) {
    await truncate(partPath, 0); // The server ignored Range: start over rather than append a second copy.
    have = 0;
  } else if (status !== 200 && status !== 206) {
    res.resume();
    throw new ModelError('download_failed', `expected HTTP 200 or 206 from ${url}, received ${status}`, 'Check the address, or download the file yourself and import it.');
  }
  const length = Number(res.headers['content-length']);
  const total = Number.isFinite(length) ? have + length : null;
  let received = have;
  const out = createWriteStream(partPath, { flags: 'a' });
  try {
    await new Promise<void>((resolve, reject) => {
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        options.onProgress?.({ received, total });
      });
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('the connection closed early')));
      out.on('error', reject);
      out.on('finish', resolve);
      res.pipe(out);
    });
  } catch (error) {
    // Keep what arrived: flush the bytes already written so the next call resumes after them.
    res.unpipe(out);
    await new Promise<void>((resolve) => out.end(() => resolve()));
    throw new ModelError('download_failed', `expected ${total ?? 'all'} bytes from ${url}, received ${received} before: ${(error as Error).message}`, 'Try again: the download resumes where it stopped.');
  }
  if (total !== null && received !== total) {
    throw new ModelError('download_failed', `expected ${total} bytes from ${url}, received ${received}`, 'Try again: the download resumes where it stopped.');
  }
  return received;
}

export function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
