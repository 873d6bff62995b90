// One studio per library at a time. Opening a studio re-queues the jobs a crash left "running" and removes
// temporary files of interrupted writes; done while another process (the app, `magicapture serve`) works on the
// same library, that would re-run its jobs and delete the files it is writing. So the app, the server and every
// CLI command hold <library>/studio.lock while the studio is open; a lock whose process is gone is taken over.
import { hostname } from 'node:os';
import { open, readFile, unlink, writeFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { ApiError } from '../common/api/errors.js';

export const LOCK_FILE = 'studio.lock';

export interface LockInfo {
  pid: number;
  host: string;
  /** What holds it: "the desktop app", "magicapture serve", "magicapture client". */
  holder: string;
  /** The studio server's address, when the holder is one. */
  url?: string;
  since: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

export class LibraryLock {
  private constructor(
    private readonly path: string,
    private info: LockInfo,
  ) {}

  /** Takes the library, or refuses with who holds it. */
  static async acquire(libraryDir: string, holder: string): Promise<LibraryLock> {
    mkdirSync(libraryDir, { recursive: true });
    const path = join(libraryDir, LOCK_FILE);
    const info: LockInfo = { pid: process.pid, host: hostname(), holder, since: Date.now() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(path, 'wx', 0o644);
        await handle.writeFile(`${JSON.stringify(info)}\n`);
        await handle.close();
        return new LibraryLock(path, info);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const held = await readLock(path);
      // Another machine's process cannot be checked (a library on a network share): its lock is respected.
      if (held && (held.host !== info.host || alive(held.pid))) {
        const where = held.url ? ` at ${held.url}` : '';
        throw new ApiError('conflict', `expected the library ${libraryDir} to be free, received it open in ${held.holder} (process ${held.pid} on ${held.host}${where})`,
          held.url ? 'Use that studio (its page or its API), or stop it first.' : 'Close that first, then run this again.');
      }
      await unlink(path).catch(() => undefined);
    }
    throw new ApiError('conflict', `expected to lock the library ${libraryDir}, received a lock that keeps coming back`, 'Another studio is starting on this library; try again.');
  }

  /** Records the server's address, so a refused command can say where the running studio is. */
  async describe(url: string): Promise<void> {
    // Never the token: the library may sit on a disk other people can read.
    this.info = { ...this.info, url: url.replace(/\?token=.*/, '') };
    await writeFile(this.path, `${JSON.stringify(this.info)}\n`);
  }

  async release(): Promise<void> {
    const held = await readLock(this.path);
    if (held?.pid === this.info.pid && held.since === this.info.since) await unlink(this.path).catch(() => undefined);
  }
}
