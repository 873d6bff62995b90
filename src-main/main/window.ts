// The studio window, locked down per Electron's security checklist: context isolation, the sandbox, no Node in
// the page, web security on, the app's own scheme only (no remote content), no navigation away, no new windows,
// no <webview>, no permissions (camera, notifications, …).
import { join } from 'node:path';

import { app, BrowserWindow, session, type WebContents } from 'electron';

import { APP_ORIGIN } from '../common/api/bridge.js';
// The preload is a .cts file (a sandboxed preload must be CommonJS), which tsconfig's "*.ts" include does not
// match; this type-only import puts it in the program, so tsc checks it and emits dist/src-main/preload/index.cjs.
import type {} from '../preload/index.cjs';

export const PRELOAD = join(import.meta.dirname, '..', 'preload', 'index.cjs');

export function isAppUrl(url: string): boolean {
  return url === APP_ORIGIN || url.startsWith(`${APP_ORIGIN}/`);
}

/** Applies to every web contents the app ever creates, including any a bug or an exploit might open. */
export function hardenWebContents(): void {
  const denyAll = (_wc: WebContents | null, _permission: string, callback?: (granted: boolean) => void) => {
    callback?.(false);
    return false;
  };
  session.defaultSession.setPermissionRequestHandler(denyAll);
  session.defaultSession.setPermissionCheckHandler(() => false);
  // No remote content: the page talks to the studio over IPC only.
  session.defaultSession.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*', 'file://*/*'] }, (_details, callback) => callback({ cancel: true }));
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => {
      if (!isAppUrl(event.url)) event.preventDefault();
    });
    contents.on('will-redirect', (event) => {
      if (!isAppUrl(event.url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

export function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: 'MagiCapture Studio',
    backgroundColor: '#1b1b1f',
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: !app.isPackaged,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}
