// Writes a deliverable that never replaces anything and never appears half-written: the bytes go to a hidden
// temporary file in the target folder (fsynced), which is then hard-linked to the first free name. link() fails
// with EEXIST instead of overwriting, so two exports racing for one name both keep their files. Folders on file
// systems without hard links (FAT/exFAT cards and sticks) fall back to reserving the name with an exclusive
// create and renaming over that empty placeholder: still never an overwrite, at worst an empty file after a crash.
import { randomBytes } from 'node:crypto';
import { link, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

const MAX_ATTEMPTS = 10_000;

async function syncFolder(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const candidate = (stem: string, extension: string, n: number) => `${stem}${n === 1 ? '' : `-${n}`}.${extension}`;

/** Returns the path written: `stem.ext`, or `stem-2.ext`, `stem-3.ext`, ... when taken. */
export async function writeNewFile(dir: string, stem: string, extension: string, data: Uint8Array): Promise<string> {
  const temp = join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
    await handle.chmod(0o644);
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  let hardLinks = true;
  try {
    for (let n = 1; n <= MAX_ATTEMPTS; n++) {
      const path = join(dir, candidate(stem, extension, n));
      try {
        if (hardLinks) {
          await link(temp, path);
        } else {
          await (await open(path, 'wx')).close();
          await rename(temp, path);
        }
        await syncFolder(dir);
        return path;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue;
        if (hardLinks && (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS')) {
          hardLinks = false;
          n--;
          continue;
        }
        throw error;
      }
    }
    throw new Error(`expected a free name for ${stem}.${extension} in ${dir}, received ${MAX_ATTEMPTS} taken ones`);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
