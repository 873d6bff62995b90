// Files that reach the studio as bytes (a browser's upload, an edited mask) but are consumed by jobs that read
// paths (import, masks). They wait here, outside the library, under <root>/<sha256>/: the library stays exactly
// what its catalog says, and a staged file is removed once the job that read it has finished. Files left by a
// crash are swept after a day.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { ApiError } from '../../common/api/errors.js';
import type { UploadRef } from '../../common/api/methods/photos.js';
import { safeFileName } from '../../services/library/safe-path.js';

const UPLOAD_FILE = 'upload';
const MAX_AGE_MS = 24 * 3600 * 1000;

export class StagingArea {
  constructor(readonly root: string) {}

  /** One staging folder per library, so two studios on two libraries never sweep each other's files. */
  static forLibrary(libraryDir: string): StagingArea {
    const key = createHash('sha256').update(libraryDir).digest('hex').slice(0, 16);
    return new StagingArea(join(tmpdir(), 'magicapture-staging', key));
  }

  /** Streams an upload to disk while hashing it; `limit` bytes at most (the caller checked Content-Length). */
  async receive(body: Readable, limit: number): Promise<{ sha256: string; size: number }> {
    await mkdir(this.root, { recursive: true });
    const temp = join(this.root, `.tmp-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        body,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            size += chunk.length;
            if (size > limit) throw new ApiError('too_large', `expected an upload of at most ${limit / 2 ** 20} MiB, received more`, 'Import the photo from a folder instead.');
            hash.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(temp, { flags: 'wx', mode: 0o600 }),
      );
      if (size === 0) throw new ApiError('bad_file', 'expected the bytes of a photo, received an empty upload');
      const sha256 = hash.digest('hex');
      await mkdir(join(this.root, sha256), { recursive: true });
      await rename(temp, join(this.root, sha256, UPLOAD_FILE));
      return { sha256, size };
    } finally {
      await rm(temp, { force: true });
    }
  }

  /** The upload as a file named like the photographer's, for the import job (which names photos by file name). */
  async pathOf(upload: UploadRef): Promise<string> {
    const dir = join(this.root, upload.sha256);
    const source = join(dir, UPLOAD_FILE);
    if (!(await stat(source).catch(() => undefined))?.isFile()) {
      throw new ApiError('not_found', `expected an upload ${upload.sha256.slice(0, 12)}… (for ${upload.name}), received none with that hash`,
        'Send the file with POST /files first (the desktop app imports by path instead).');
    }
    const named = join(dir, safeFileName(upload.name));
    if (named === source) return named;
    await link(source, named).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    return named;
  }

  /** Writes bytes (an edited mask) to a fresh staged file. */
  async stage(data: Buffer, fileName: string): Promise<string> {
    const dir = join(this.root, `${createHash('sha256').update(data).digest('hex')}-${randomBytes(4).toString('hex')}`);
    await mkdir(dir, { recursive: true });
    const path = join(dir, fileName);
    await writeFile(path, data, { mode: 0o600 });
    return path;
  }

  /**
   * Removes staged files a finished job read; paths outside the staging area are ignored. An upload goes with its
   * last named copy, so another import still waiting for the same bytes keeps them.
   */
  async release(paths: readonly string[]): Promise<void> {
    for (const path of paths) {
      const rel = relative(this.root, path);
      const [folder, file, ...rest] = rel.split(sep);
      if (rel.startsWith('..') || folder === undefined || file === undefined || rest.length > 0) continue;
      const dir = join(this.root, folder);
      await rm(path, { force: true });
      const left = await readdir(dir).catch(() => []);
      if (left.length === 0 || (left.length === 1 && left[0] === UPLOAD_FILE)) await rm(dir, { recursive: true, force: true });
    }
  }

  /** Removes what a crash left behind. */
  async sweep(now = Date.now()): Promise<void> {
    for (const entry of await readdir(this.root).catch(() => [])) {
      const path = join(this.root, entry);
      const info = await stat(path).catch(() => undefined);
      if (info && now - info.mtimeMs > MAX_AGE_MS) await rm(path, { recursive: true, force: true });
    }
  }
}
