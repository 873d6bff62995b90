// `magicapture studio`: the README's main job. Opens the desktop app where Electron can run (its binary installed
// and a display to show it on); anywhere else, the same studio served to a browser (`serve`), with its address.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

import { openStudio } from '../server/open-studio.js';
import { packageRoot } from '../server/package-root.js';
import { serveCommand } from './serve-command.js';

export const STUDIO_USAGE =
  'magicapture studio [--library DIR] [--model SD15_PATH] [serve options: --host, --port, --token]\n' +
  '    (the desktop app where Electron can run, else the studio server in a browser)';

const OPTIONS = {
  library: { type: 'string' },
  model: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  token: { type: 'string' },
} as const;

/** Why the desktop app cannot open here, or null when it can. */
function electronUnavailable(): { reason: string } | { binary: string } {
  let binary: unknown;
  try {
    binary = createRequire(import.meta.url)('electron');
  } catch (error) {
    return { reason: `Electron is not installed (${(error as Error).message.split('\n')[0]})` };
  }
  if (typeof binary !== 'string' || !existsSync(binary)) return { reason: 'the Electron binary was not downloaded' };
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']) {
    return { reason: 'there is no display (DISPLAY / WAYLAND_DISPLAY unset)' };
  }
  return { binary };
}

export async function studioCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  const electron = electronUnavailable();
  if ('reason' in electron) {
    process.stderr.write(`magicapture studio: opening in a browser instead of the desktop app: ${electron.reason}.\n`);
    return serveCommand(argv);
  }
  const library = values.library === undefined ? {} : { libraryDir: values.library };
  if (values.model !== undefined) {
    const opened = await openStudio({ ...library, hosts: 'none' }, 'magicapture studio');
    try {
      await opened.studio.chooseBaseModel({ path: values.model });
    } finally {
      await opened.close();
    }
  }
  const env = { ...process.env, ...(values.library === undefined ? {} : { MAGICAPTURE_LIBRARY: values.library }) };
  const app = spawn(electron.binary, [packageRoot()], { stdio: 'inherit', env });
  return new Promise((resolve, reject) => {
    app.once('error', reject);
    app.once('exit', (code) => resolve(code ?? 1));
  });
}
