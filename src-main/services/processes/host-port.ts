// Runs inside a host process: its end of the channel the supervisor opened. A forked Node child talks over
// process.send; an Electron utilityProcess over process.parentPort. Both carry structured clones.
import type { HostMessage } from '../../common/protocol/messages.js';

export interface HostPort {
  /** Resolves once the message has been handed to the channel, so last words can be flushed before exit. */
  post(message: HostMessage): Promise<void>;
  onMessage(listener: (message: unknown) => void): void;
  /** The broker went away: the host must not outlive it. */
  onDisconnect(listener: () => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

export function parentPort(): HostPort {
  const electron = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (electron) {
    return {
      post: async (message) => electron.postMessage(message),
      onMessage: (listener) => electron.on('message', (event) => listener(event.data)),
      // Electron ends a utility process together with its parent.
      onDisconnect: () => undefined,
    };
  }
  const send = process.send?.bind(process);
  if (!send) {
    throw new Error('expected to run as a host process (forked with an IPC channel, or an Electron utilityProcess)');
  }
  return {
    post: (message) =>
      new Promise((resolve) => {
        // A closed channel means the broker is gone; the disconnect listener ends the host.
        if (!process.connected) return resolve();
        try {
          send(message, undefined, undefined, () => resolve());
        } catch {
          resolve();
        }
      }),
    onMessage: (listener) => process.on('message', listener),
    onDisconnect: (listener) => process.on('disconnect', listener),
  };
}
