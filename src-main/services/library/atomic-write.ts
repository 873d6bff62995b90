// Crash-safe file writes: write to a temporary name in the same folder, fsync the file, rename it over the
// final name (atomic on one filesystem), fsync the folder. A crash at any point leaves either no file or the
// whole file, plus at most a ".tmp-*" leftover that the doctor reports and removes.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const TEMP_PREFIX = '.tmp-';

export function isTempName(path: string): boolean {
  return basename(path).startsWith(TEMP_PREFIX);
}

/** Makes the rename itself durable. Windows cannot open a folder for fsync; NTFS journals renames anyway. */
async function syncFolder(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `data` to `finalPath` atomically; `mode` is applied before the rename (0o444 for immutable files). */
export async function writeFileAtomic(finalPath: string, data: Uint8Array, mode = 0o644): Promise<void> {
  const dir = dirname(finalPath);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(temp, mode);
    await rename(temp, finalPath);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncFolder(dir);
}
