// The application menu: the standard roles (so copy, paste and undo work in every text field, and macOS gets its
// app menu), and the library: show it, choose another, check it. Studio work itself lives in the page.
import { app, type BrowserWindow, dialog, Menu, type MenuItemConstructorOptions, shell } from 'electron';

import { doctor } from '../services/library/doctor.js';
import { saveLibraryLocation } from '../services/library/library-location.js';

export interface MenuContext {
  libraryDir: string;
  userDataDir: string;
  window(): BrowserWindow | undefined;
}

async function message(context: MenuContext, options: Electron.MessageBoxOptions): Promise<void> {
  const window = context.window();
  await (window ? dialog.showMessageBox(window, options) : dialog.showMessageBox(options));
}

async function chooseLibrary(context: MenuContext): Promise<void> {
  const window = context.window();
  const options: Electron.OpenDialogOptions = { title: 'Choose the library folder', defaultPath: context.libraryDir, properties: ['openDirectory', 'createDirectory'] };
  const chosen = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  const dir = chosen.filePaths[0];
  if (chosen.canceled || dir === undefined || dir === context.libraryDir) return;
  await saveLibraryLocation(dir, context.userDataDir);
  // The catalog, the job queue and the hosts belong to one library: the simplest correct switch is a restart.
  app.relaunch();
  app.quit();
}

async function checkLibrary(context: MenuContext): Promise<void> {
  const { report, text } = await doctor(context.libraryDir);
  await message(context, { type: report.healthy ? 'info' : 'warning', title: 'Library check', message: report.healthy ? 'The library is healthy.' : 'The library needs attention.', detail: text });
}

function reportFailure(context: MenuContext, what: string) {
  return (error: unknown) => void message(context, { type: 'error', title: what, message: `${what} failed`, detail: (error as Error).message });
}

export function buildMenu(context: MenuContext): Menu {
  const mac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Show Library Folder', click: () => void shell.openPath(context.libraryDir) },
        { label: 'Choose Library Folder…', click: () => void chooseLibrary(context).catch(reportFailure(context, 'Choosing the library')) },
        { label: 'Check Library…', click: () => void checkLibrary(context).catch(reportFailure(context, 'Checking the library')) },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...(app.isPackaged ? [] : [{ role: 'reload' as const }, { role: 'toggleDevTools' as const }, { type: 'separator' as const }]),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: `MagiCapture Studio ${app.getVersion()}`, enabled: false }] },
  ];
  return Menu.buildFromTemplate(template);
}
