// One run of a host process, from launch to exit: its channel, its in-flight requests, and what it said before
// it went (output tail, last-words message). A restart is a new session, so late events of a dead process
// cannot touch the requests of its successor.
import type { CrashReason } from '../../common/protocol/errors.js';
import type { FatalMessage, ReadyMessage } from '../../common/protocol/messages.js';
import { OutputTail } from './crash.js';
import type { ChildExit, ChildHandle } from './launcher.js';

export type HostReady<C> = Omit<ReadyMessage<C>, 'kind'>;

export interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress: ((progress: unknown) => void) | undefined;
  /** Removes the abort listener from the caller's signal. */
  detach(): void;
}

export class HostSession {
  child = undefined as unknown as ChildHandle;
  readonly tail = new OutputTail();
  readonly pending = new Map<number, Pending>();
  /** Present until the handshake completes. */
  startup: { resolve(ready: HostReady<unknown>): void; reject(error: Error): void; timer: NodeJS.Timeout } | undefined;
  /** A failure the supervisor caused on purpose (ready timeout, bad handshake): it explains the exit. */
  startFailure: CrashReason | undefined;
  fatal: FatalMessage['error'] | undefined;
  readyAt = 0;
  /** Set by stop() with the word for it ("stopped", "restarted"): the exit that follows is not a crash. */
  stopping: string | undefined;
  hasExited = false;
  readonly exited: Promise<ChildExit>;
  private resolveExited: (exit: ChildExit) => void = () => undefined;

  constructor() {
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
  }

  markExited(exit: ChildExit): void {
    this.hasExited = true;
    this.resolveExited(exit);
  }

  settle(id: number, error: Error | undefined, result?: unknown): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    pending.detach();
    if (error) pending.reject(error);
    else pending.resolve(result);
  }

  rejectAll(error: (id: number, pending: Pending) => Error): void {
    for (const [id, pending] of [...this.pending]) this.settle(id, error(id, pending));
  }
}
