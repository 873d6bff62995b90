// The only file that touches window.studio (DESIGN.md §2). In the desktop app the preload provides it (IPC);
// in a browser on the studio server we build the same StudioBridge over HTTP and a WebSocket. Either way the
// rest of the renderer sees one typed client: `studio.call(method, params)`, `studio.on(event, listener)`.
import { checkParams, fromErrorBody, FILES_PATH, type ApiError, type ApiEvents, type ApiEventType, type ApiMethod, type ApiParams, type ApiResult, type StudioBridge } from '../../src-main/common/api/index.js';
import { HttpBridge, type ConnectionState } from './http-bridge.js';

declare global {
  interface Window {
    studio?: StudioBridge;
  }
}

export type { ConnectionState };

export interface StudioClient {
  readonly transport: 'ipc' | 'http';
  /** Resolves with the result, rejects with an ApiError {code, message, hint}; params are checked here first. */
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>>;
  on<E extends ApiEventType>(event: E, listener: (event: ApiEvents[E]) => void): () => void;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Browser only: a dropped or picked file into the server's staging area (the desktop app imports by path). */
  upload: ((file: Blob) => Promise<{ sha256: string; size: number }>) | null;
  /** A library file by hash, relative to the page (the studio server and studio://app/ alike). */
  fileUrl(sha256: string): string;
}

function tokenFromAddress(): string | null {
  const match = /[#&?]token=([^&]+)/.exec(location.hash);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

function wrap(bridge: StudioBridge, transport: 'ipc' | 'http', http: HttpBridge | null): StudioClient {
  return {
    transport,
    async call(method, params) {
      // The contract's own check, before the round trip: the same "expected …, received …" the studio would send.
      checkParams(method, params);
      try {
        return await bridge.call(method, params);
      } catch (error) {
        throw fromErrorBody(error, error instanceof Error ? error.message : `${method} failed`) as ApiError;
      }
    },
    on: (event, listener) => bridge.on(event, listener),
    onConnection: (listener) => (http ? http.onConnection(listener) : (listener('open'), () => undefined)),
    upload: http ? (file) => http.upload(file) : null,
    fileUrl: (sha256) => `${FILES_PATH}${sha256}`,
  };
}

function create(): StudioClient {
  if (window.studio) return wrap(window.studio, 'ipc', null);
  const http = new HttpBridge(new URL('./', location.href), tokenFromAddress());
  return wrap(http, 'http', http);
}

export const studio: StudioClient = create();
