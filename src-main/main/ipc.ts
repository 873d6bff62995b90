// The contract over Electron IPC: one invoke channel for calls, one channel for events. A call is served only
// when it comes from our window's main frame showing our page: another frame, a page navigated elsewhere or any
// other web contents gets an error and nothing runs.
import { type BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron';

import { IPC_CALL, IPC_EVENT, type IpcReply } from '../common/api/bridge.js';
import { ApiError, toApiError } from '../common/api/errors.js';
import type { ApiDispatcher } from '../server/api/dispatcher.js';
import { isAppUrl } from './window.js';

function trusted(event: IpcMainInvokeEvent, window: BrowserWindow | undefined): boolean {
  if (!window || window.isDestroyed() || event.sender !== window.webContents) return false;
  const frame = event.senderFrame;
  return frame !== null && frame === window.webContents.mainFrame && isAppUrl(frame.url);
}

export function serveIpc(dispatcher: ApiDispatcher, window: () => BrowserWindow | undefined): () => void {
  ipcMain.handle(IPC_CALL, async (event, method: unknown, params: unknown): Promise<IpcReply> => {
    if (!trusted(event, window())) {
      console.error(`[ipc] refused ${String(method).slice(0, 60)} from ${event.senderFrame?.url ?? 'an unknown frame'}`);
      return { ok: false, error: new ApiError('forbidden', 'expected a call from the studio window, received one from another page or frame').toJSON() };
    }
    try {
      return { ok: true, result: await dispatcher.call(method, params) };
    } catch (error) {
      return { ok: false, error: toApiError(error).toJSON() };
    }
  });
  const unsubscribe = dispatcher.on((event) => {
    const target = window();
    if (target && !target.isDestroyed()) target.webContents.send(IPC_EVENT, event);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_CALL);
  };
}
