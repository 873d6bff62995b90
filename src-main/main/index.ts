// The Electron main process (DESIGN.md §1): a broker. It opens the studio (library, job queue, engine and media
// hosts as utility processes), serves the API contract to its one window over IPC, and owns the window, the
// menus and the dialogs. One instance per user: a second launch focuses the first window.
import { join } from 'node:path';

import { app, type BrowserWindow, dialog, Menu } from 'electron';

import { ApiDispatcher } from '../server/api/dispatcher.js';
import { StagingArea } from '../server/api/staging.js';
import { openStudio } from '../server/open-studio.js';
import { packageRoot } from '../server/package-root.js';
import { handleAppProtocol, registerAppScheme } from './app-protocol.js';
import { openDialog } from './dialogs.js';
import { serveIpc } from './ipc.js';
import { buildMenu } from './menu.js';
import { utilityLauncher } from './utility-launcher.js';
import { createMainWindow, hardenWebContents } from './window.js';

let window: BrowserWindow | undefined;

function showWindow(): void {
  if (!window || window.isDestroyed()) {
    window = createMainWindow();
    window.on('closed', () => (window = undefined));
    return;
  }
  if (window.isMinimized()) window.restore();
  window.focus();
}

function fatal(error: unknown): void {
  const e = error as { message?: string; hint?: string };
  dialog.showErrorBox('MagiCapture Studio could not start', `${e.message ?? String(error)}${e.hint ? `\n\n${e.hint}` : ''}`);
  app.exit(1);
}

async function start(): Promise<void> {
  await app.whenReady();
  hardenWebContents();
  const userDataDir = app.getPath('userData');
  const opened = await openStudio({ userDataDir, hosts: 'spawn', hostOptions: { launcher: utilityLauncher } }, 'the desktop app');
  const { studio } = opened;
  const staging = StagingArea.forLibrary(studio.library.dir);
  void staging.sweep();
  const dispatcher = new ApiDispatcher({ studio, staging, mode: 'desktop', openDialog: (kind, title) => openDialog(window, kind, title) });
  handleAppProtocol(join(packageRoot(), 'dist-renderer'), () => studio.library);
  const stopIpc = serveIpc(dispatcher, () => window);
  Menu.setApplicationMenu(buildMenu({ libraryDir: studio.library.dir, userDataDir, window: () => window }));
  showWindow();

  app.on('second-instance', showWindow);
  app.on('activate', showWindow);
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let closing = false;
  app.on('before-quit', (event) => {
    if (closing) return;
    // Running jobs stop at a safe point (a training writes its checkpoint) before the app goes.
    event.preventDefault();
    closing = true;
    stopIpc();
    dispatcher.close();
    void opened.close().catch((error: unknown) => console.error('[main] closing the studio failed:', error)).finally(() => app.quit());
  });
}

registerAppScheme();
if (!app.requestSingleInstanceLock()) app.quit();
else start().catch(fatal);
