// Where the library lives: an explicit option, then MAGICAPTURE_LIBRARY, then the saved choice, then the default.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { defaultUserDataDir, resolveLibraryLocation, saveLibraryLocation } from '../../src-main/services/library/index.js';

let userDataDir: string;

beforeEach(() => {
  userDataDir = mkdtempSync(join(tmpdir(), 'magicapture-userdata-'));
});

afterEach(() => {
  rmSync(userDataDir, { recursive: true, force: true });
});

describe('library location', () => {
  it('option, then environment, then saved settings, then the default', async () => {
    const env = { MAGICAPTURE_LIBRARY: '/Volumes/Studio/Library' };
    expect(resolveLibraryLocation({ dir: '/explicit', env, userDataDir })).toEqual({ dir: '/explicit', source: 'option' });
    expect(resolveLibraryLocation({ env, userDataDir })).toEqual({ dir: '/Volumes/Studio/Library', source: 'environment' });
    expect(resolveLibraryLocation({ env: {}, userDataDir })).toEqual({ dir: join(userDataDir, 'Library'), source: 'default' });
    await saveLibraryLocation('/mnt/nas/portraits', userDataDir);
    expect(resolveLibraryLocation({ env: {}, userDataDir })).toEqual({ dir: '/mnt/nas/portraits', source: 'settings' });
    expect(resolveLibraryLocation({ env: { MAGICAPTURE_LIBRARY: '~/Pictures/Lib' }, userDataDir, home: '/home/ada' }).dir).toBe('/home/ada/Pictures/Lib');
  });

  it('a damaged settings file is a clear error, not a silent new library', () => {
    writeFileSync(join(userDataDir, 'library.json'), '{"libraryDir": ');
    expect(() => resolveLibraryLocation({ env: {}, userDataDir })).toThrow(/expected .*library.json to be JSON like \{"libraryDir": "\/path"\}/);
    writeFileSync(join(userDataDir, 'library.json'), '{"libraryDir": "relative/path"}');
    expect(() => resolveLibraryLocation({ env: {}, userDataDir })).toThrow(/to be an absolute folder path, received "relative\/path"/);
  });

  it('the user data folder follows each platform', () => {
    expect(defaultUserDataDir('linux', {}, '/home/ada')).toBe('/home/ada/.config/MagiCapture Studio');
    expect(defaultUserDataDir('linux', { XDG_CONFIG_HOME: '/xdg' }, '/home/ada')).toBe('/xdg/MagiCapture Studio');
    expect(defaultUserDataDir('darwin', {}, '/Users/ada')).toBe('/Users/ada/Library/Application Support/MagiCapture Studio');
    expect(defaultUserDataDir('win32', { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, 'C:\\Users\\ada')).toMatch(/AppData.Roaming.MagiCapture Studio$/);
  });
});
