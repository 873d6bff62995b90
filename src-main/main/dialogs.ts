// The native open dialog behind the API's dialog.open: the page asks for a kind of file, never for a path or a
// filter of its own, so it can only learn paths the photographer chose.
import { type BrowserWindow, dialog, type OpenDialogOptions } from 'electron';

import type { DialogKind } from '../common/api/methods/system.js';

const IMAGES = { name: 'Photos', extensions: ['jpg', 'jpeg', 'png', 'webp', 'tif', 'tiff', 'avif'] };

const OPTIONS: Record<DialogKind, OpenDialogOptions> = {
  photos: { title: 'Import photos', properties: ['openFile', 'multiSelections'], filters: [IMAGES] },
  mask: { title: 'Choose a face mask', properties: ['openFile'], filters: [{ name: 'Masks', extensions: ['png', 'webp', 'tif', 'tiff'] }] },
  folder: { title: 'Choose a folder', properties: ['openDirectory', 'createDirectory'] },
};

export async function openDialog(window: BrowserWindow | undefined, kind: DialogKind, title: string | undefined): Promise<string[]> {
  const options = { ...OPTIONS[kind], ...(title === undefined ? {} : { title }) };
  const result = window && !window.isDestroyed() ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  return result.canceled ? [] : result.filePaths;
}
