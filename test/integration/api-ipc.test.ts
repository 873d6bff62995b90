// The desktop bridge without Electron (its binary cannot be downloaded on the build machines): the compiled
// preload runs in a VM context with a stand-in for the three Electron objects it touches, so what it exposes to
// the page, how it routes calls, errors and events, and its channel names are checked for real.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';

import { describe, expect, it } from 'vitest';

import { IPC_CALL, IPC_EVENT } from '../../src-main/common/api/index.js';
import { repoRoot } from '../helpers/golden.js';

const compiled = join(repoRoot, 'dist', 'src-main', 'preload', 'index.cjs');

function loadPreload(replies: (method: string, params: unknown) => unknown) {
  const exposed = new Map<string, unknown>();
  const invoked: Array<[string, string, unknown]> = [];
  let onEvent: ((event: unknown, payload: unknown) => void) | undefined;
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
    ipcRenderer: {
      invoke: async (channel: string, method: string, params: unknown) => {
        invoked.push([channel, method, params]);
        return replies(method, params);
      },
      on: (channel: string, listener: (event: unknown, payload: unknown) => void) => {
        expect(channel).toBe(IPC_EVENT);
        onEvent = listener;
      },
    },
  };
  const module = { exports: {} };
  const require = (name: string) => {
    // A sandboxed preload may require only a few modules; ours needs "electron" alone.
    if (name !== 'electron') throw new Error(`the preload required ${name}`);
    return electron;
  };
  runInNewContext(readFileSync(compiled, 'utf8'), { require, module, exports: module.exports, console });
  return { exposed, invoked, emit: (payload: unknown) => onEvent?.({}, payload) };
}

describe.skipIf(!existsSync(compiled))('the preload bridge (needs npx tsc -p tsconfig.json)', () => {
  it('exposes exactly window.studio = { call, on }', () => {
    const { exposed } = loadPreload(() => ({ ok: true, result: null }));
    expect([...exposed.keys()]).toEqual(['studio']);
    expect(Object.keys(exposed.get('studio') as object).sort()).toEqual(['call', 'on']);
  });

  it('calls over the contract channel and rejects with {code, message, hint}', async () => {
    const { exposed, invoked } = loadPreload((method) =>
      method === 'clients.list' ? { ok: true, result: [{ id: 1 }] } : { ok: false, error: { code: 'not_found', message: 'client 9 does not exist', hint: 'Reload the list.' } },
    );
    const studio = exposed.get('studio') as { call(method: string, params: unknown): Promise<unknown> };
    await expect(studio.call('clients.list', {})).resolves.toEqual([{ id: 1 }]);
    await expect(studio.call('clients.show', { clientId: 9 })).rejects.toEqual({ code: 'not_found', message: 'client 9 does not exist', hint: 'Reload the list.' });
    expect(invoked).toEqual([[IPC_CALL, 'clients.list', {}], [IPC_CALL, 'clients.show', { clientId: 9 }]]);
  });

  it('delivers each event to the listeners of its type until they unsubscribe', () => {
    const { exposed, emit } = loadPreload(() => ({ ok: true, result: null }));
    const studio = exposed.get('studio') as { on(event: string, listener: (e: unknown) => void): () => void };
    const states: unknown[] = [];
    const progress: unknown[] = [];
    const stop = studio.on('job-state', (e) => states.push(e));
    studio.on('job-progress', (e) => progress.push(e));
    emit({ type: 'job-state', job: { id: 1 } });
    emit({ type: 'job-progress', id: 1, progress: { done: 1 } });
    stop();
    emit({ type: 'job-state', job: { id: 2 } });
    emit('not an event');
    expect(states).toEqual([{ type: 'job-state', job: { id: 1 } }]);
    expect(progress).toHaveLength(1);
    expect(() => studio.on('job-state', 'not a function' as never)).toThrow(/expected studio\.on/);
  });

  it('opens the window with the Electron security checklist settings', () => {
    const source = readFileSync(join(repoRoot, 'src-main', 'main', 'window.ts'), 'utf8');
    for (const setting of ['contextIsolation: true', 'sandbox: true', 'nodeIntegration: false', 'webSecurity: true', 'webviewTag: false']) expect(source).toContain(setting);
    expect(source).toMatch(/setWindowOpenHandler\(\(\) => \(\{ action: 'deny' \}\)\)/);
  });
});
