// Where the library lives is the photographer's choice (a big external disk, a NAS folder). In order:
// an explicit option (CLI --library, a test), the MAGICAPTURE_LIBRARY environment variable, the folder saved
// in <user data>/library.json, and finally <user data>/Library.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

import { writeFileAtomic } from './atomic-write.js';
import { LibraryError } from './library-error.js';

export const LIBRARY_ENV = 'MAGICAPTURE_LIBRARY';
export const APP_DIR_NAME = 'MagiCapture Studio';
export const LOCATION_FILE = 'library.json';

export type LocationSource = 'option' | 'environment' | 'settings' | 'default';

export interface LocationOptions {
  /** An explicit choice that wins over everything else. */
  dir?: string | undefined;
  env?: Record<string, string | undefined>;
  /** Electron's app.getPath('userData') in the app; the platform's default elsewhere. */
  userDataDir?: string;
  platform?: NodeJS.Platform;
  home?: string;
}

export interface LibraryLocation {
  dir: string;
  source: LocationSource;
}

/** The per-user settings folder, as Electron places userData for this app name. */
export function defaultUserDataDir(platform: NodeJS.Platform = process.platform, env: Record<string, string | undefined> = process.env, home = homedir()): string {
  if (platform === 'win32') return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_DIR_NAME);
  return join(env['XDG_CONFIG_HOME'] || join(home, '.config'), APP_DIR_NAME);
}

function expand(path: string, home: string, what: string): string {
  if (path.trim() === '' || path.includes('\0')) throw new LibraryError('bad_settings', `expected ${what} to be a folder path, received ${JSON.stringify(path)}`);
  const expanded = path === '~' || path.startsWith('~/') ? join(home, path.slice(1)) : path;
  return resolve(expanded);
}

function savedLocation(file: string, home: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let saved: unknown;
  try {
    saved = JSON.parse(text);
  } catch {
    throw new LibraryError('bad_settings', `expected ${file} to be JSON like {"libraryDir": "/path"}, received text that is not JSON`, 'Fix or delete the file; the app will then use its default library.');
  }
  const dir = (saved as { libraryDir?: unknown } | null)?.libraryDir;
  if (typeof dir !== 'string' || !(isAbsolute(dir) || dir.startsWith('~/'))) {
    throw new LibraryError('bad_settings', `expected "libraryDir" in ${file} to be an absolute folder path, received ${JSON.stringify(dir) ?? 'nothing'}`, 'Choose the library folder again in Settings.');
  }
  return expand(dir, home, `"libraryDir" in ${file}`);
}

export function resolveLibraryLocation(options: LocationOptions = {}): LibraryLocation {
  const env = options.env ?? process.env;
  const home = options.home ?? homedir();
  if (options.dir !== undefined) return { dir: expand(options.dir, home, 'the library option'), source: 'option' };
  const fromEnv = env[LIBRARY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { dir: expand(fromEnv, home, LIBRARY_ENV), source: 'environment' };
  const userData = options.userDataDir ?? defaultUserDataDir(options.platform, env, home);
  const saved = savedLocation(join(userData, LOCATION_FILE), home);
  if (saved !== undefined) return { dir: saved, source: 'settings' };
  return { dir: join(userData, 'Library'), source: 'default' };
}

/** Remembers the photographer's choice for the next start (written atomically: a crash keeps the old choice). */
export async function saveLibraryLocation(dir: string, userDataDir = defaultUserDataDir()): Promise<void> {
  if (!isAbsolute(dir)) throw new LibraryError('bad_settings', `expected an absolute folder path for the library, received ${JSON.stringify(dir)}`);
  await writeFileAtomic(join(userDataDir, LOCATION_FILE), Buffer.from(`${JSON.stringify({ libraryDir: dir }, null, 2)}\n`));
}
