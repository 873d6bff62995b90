// The desktop app's preload: exposes exactly `window.studio = { call, on }` to the sandboxed renderer and
// nothing else (no ipcRenderer, no Node). It is CommonJS (.cts) because a sandboxed preload cannot be an ES
// module, and it may require only "electron", so the channel names are repeated here from common/api/bridge.ts
// (test/integration/api-ipc.test.ts checks that they agree). Types only come from the contract.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

import type { StudioBridge } from '../common/api/bridge.js' with { 'resolution-mode': 'import' };

const IPC_CALL = 'studio:call';
const IPC_EVENT = 'studio:event';

type Reply = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string; hint: string } };
type Listener = (event: unknown) => void;

const listeners = new Map<string, Set<Listener>>();

// One IPC listener for all events, so a page that subscribes and unsubscribes often never leaks IPC listeners.
ipcRenderer.on(IPC_EVENT, (_event: IpcRendererEvent, payload: { type?: unknown }) => {
  const set = typeof payload?.type === 'string' ? listeners.get(payload.type) : undefined;
  for (const listener of set ?? []) {
    try {
      listener(payload);
    } catch (error) {
      console.error('[studio] an event listener failed:', error);
    }
  }
});

const studio: StudioBridge = {
  async call(method, params) {
    const reply = (await ipcRenderer.invoke(IPC_CALL, method, params)) as Reply;
    // Rejects with the plain {code, message, hint}: the context bridge would strip an Error's code and hint.
    if (!reply.ok) throw reply.error;
    return reply.result as never;
  },
  on(event, listener) {
    if (typeof event !== 'string' || typeof listener !== 'function') throw new TypeError('expected studio.on(eventName, listener)');
    const set = listeners.get(event) ?? new Set<Listener>();
    set.add(listener as Listener);
    listeners.set(event, set);
    return () => {
      set.delete(listener as Listener);
    };
  },
};

contextBridge.exposeInMainWorld('studio', studio);
