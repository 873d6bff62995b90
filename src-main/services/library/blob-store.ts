// The library's files, content-addressed: blobs/ab/cdef… where abcdef… is the SHA-256 of the bytes. The same
// bytes are stored once however often they are used; a file never changes after it is written (read-only),
// because its name is its content.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, readdir, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

import { isTempName, writeFileAtomic } from './atomic-write.js';

export const BLOBS_DIR = 'blobs';
const SHARD = /^[0-9a-f]{2}$/;
const REST = /^[0-9a-f]{62}$/;

export interface StoredBlob {
  sha256: string;
  size: number;
  /** False when the library already had these bytes. */
  written: boolean;
}

export type BlobEntry =
  | { kind: 'blob'; sha256: string; path: string }
  | { kind: 'temp'; path: string }
  | { kind: 'unknown'; path: string };

export function sha256Of(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export class BlobStore {
  readonly dir: string;

  constructor(libraryDir: string) {
    this.dir = join(libraryDir, BLOBS_DIR);
  }

  /** Library-relative path, the form stored nowhere (rows hold the hash) but shown to people. */
  static relativePath(sha256: string): string {
    return `${BLOBS_DIR}/${sha256.slice(0, 2)}/${sha256.slice(2)}`;
  }

  pathOf(sha256: string): string {
    return join(this.dir, sha256.slice(0, 2), sha256.slice(2));
  }

  /** Stores the bytes (read-only) unless a file of that hash and size is already there. */
  async put(data: Uint8Array): Promise<StoredBlob> {
    const sha256 = sha256Of(data);
    const path = this.pathOf(sha256);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.size === data.byteLength) return { sha256, size: data.byteLength, written: false };
    if (existing) await chmod(path, 0o644);
    await writeFileAtomic(path, data, 0o444);
    return { sha256, size: data.byteLength, written: true };
  }

  async has(sha256: string): Promise<boolean> {
    return (await stat(this.pathOf(sha256)).catch(() => undefined)) !== undefined;
  }

  /** Deletes the file (and its shard folder once empty); a file already gone is not an error. */
  async remove(sha256: string): Promise<void> {
    await removeFile(this.pathOf(sha256));
    await rmdir(join(this.dir, sha256.slice(0, 2))).catch(() => undefined);
  }

  /** Every entry under blobs/: blob files, temporary leftovers of interrupted writes, and anything else. */
  async list(): Promise<BlobEntry[]> {
    const entries: BlobEntry[] = [];
    const shards = await readdir(this.dir, { withFileTypes: true }).catch(() => []);
    for (const shard of shards) {
      const shardPath = join(this.dir, shard.name);
      if (!shard.isDirectory() || !SHARD.test(shard.name)) {
        entries.push({ kind: isTempName(shard.name) ? 'temp' : 'unknown', path: shardPath });
        continue;
      }
      for (const file of await readdir(shardPath, { withFileTypes: true })) {
        const path = join(shardPath, file.name);
        if (isTempName(file.name)) entries.push({ kind: 'temp', path });
        else if (file.isFile() && REST.test(file.name)) entries.push({ kind: 'blob', sha256: shard.name + file.name, path });
        else entries.push({ kind: 'unknown', path });
      }
    }
    return entries;
  }
}

/** Unlinks a possibly read-only file (Windows refuses to delete read-only files). */
export async function removeFile(path: string): Promise<void> {
  await chmod(path, 0o644).catch(() => undefined);
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
