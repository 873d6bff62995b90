// What the renderer sees as `window.studio` in the desktop app (the preload's contextBridge object), and the
// shape of a reply on the IPC channel. A browser on the studio server gets the same StudioBridge from
// src-renderer/bridge over HTTP (POST /api/<method> → {result} or {code, message, hint}) and a WebSocket
// (/api/events, one ApiEvent per message).
import type { ApiErrorBody } from './errors.js';
import type { ApiEvents, ApiEventType } from './events.js';
import type { ApiMethod, ApiParams, ApiResult } from './contract.js';

export interface StudioBridge {
  /** Resolves with the result; rejects with an ApiErrorBody {code, message, hint} (a plain object, see below). */
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>>;
  /** Returns the function that stops listening. */
  on<E extends ApiEventType>(event: E, listener: (event: ApiEvents[E]) => void): () => void;
}

/**
 * IPC channel names. The sandboxed preload cannot load this module (it may require only "electron"), so
 * src-main/preload/index.cts repeats them; test/integration/api-ipc.test.ts checks that the two agree.
 */
export const IPC_CALL = 'studio:call';
export const IPC_EVENT = 'studio:event';

/**
 * A reply on IPC_CALL. Errors travel as data, not as a thrown Error: Electron keeps only the message of an
 * Error crossing IPC or the context bridge, and the renderer needs the code and the hint.
 */
export type IpcReply = { ok: true; result: unknown } | { ok: false; error: ApiErrorBody };

/** The desktop app's origin: pages and library files load from studio://app/ (FILES_PATH is relative to it). */
export const APP_SCHEME = 'studio';
export const APP_ORIGIN = 'studio://app';
