// Opens a studio the way the app, the server and the CLI all must: resolve where the library is, lock it (see
// library-lock.ts), then open. The lock goes when the studio closes, or when opening fails.
import { resolveLibraryLocation } from '../services/library/library-location.js';
import { Studio, type StudioOptions } from '../services/studio/studio.js';
import { LibraryLock } from './library-lock.js';

export interface OpenedStudio {
  studio: Studio;
  lock: LibraryLock;
  /** Closes the studio (running jobs stop at a safe point), then frees the library. */
  close(): Promise<void>;
}

export async function openStudio(options: StudioOptions, holder: string): Promise<OpenedStudio> {
  const { dir } = resolveLibraryLocation({
    ...(options.libraryDir === undefined ? {} : { dir: options.libraryDir }),
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.userDataDir === undefined ? {} : { userDataDir: options.userDataDir }),
  });
  const lock = await LibraryLock.acquire(dir, holder);
  let studio: Studio;
  try {
    studio = await Studio.open({ ...options, libraryDir: dir });
  } catch (error) {
    await lock.release();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    studio,
    lock,
    close: () => (closing ??= studio.close().finally(() => lock.release())),
  };
}
