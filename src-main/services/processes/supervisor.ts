// The broker's end of a host process: start with a ready handshake, typed requests with progress and cancel,
// crash detection with a reason, bounded automatic restarts, explicit restart and stop. One supervisor per host.
import { existsSync } from 'node:fs';

import type { CrashReason } from '../../common/protocol/errors.js';
import {
  type HostMessage,
  type HostName,
  type MethodName,
  type MethodTable,
  type ParamsOf,
  parseHostMessage,
  type ProgressOf,
  PROTOCOL_VERSION,
  type ReadyMessage,
  type ResultOf,
} from '../../common/protocol/messages.js';
import {
  crashReason,
  HostCrashError,
  HostError,
  HostRequestError,
  HostStartError,
  HostStoppedError,
} from './crash.js';
import { type ChildEvents, type ChildExit, type ChildLauncher, forkLauncher, type LaunchSpec } from './launcher.js';
import { DEFAULT_RESTART_POLICY, RestartBudget, type RestartPolicy } from './restart-policy.js';
import { type HostReady, HostSession } from './session.js';

export type { HostReady } from './session.js';

export type SupervisorState = 'idle' | 'starting' | 'ready' | 'restarting' | 'stopping' | 'stopped' | 'failed';

export type SupervisorEvent<C> =
  | { type: 'ready'; ready: HostReady<C>; restarts: number }
  | { type: 'crash'; reason: CrashReason; exit: ChildExit; inFlight: number }
  | { type: 'restarting'; attempt: number; delayMs: number }
  /** The host could not be started, or crashed more often than the restart policy allows. */
  | { type: 'failed'; error: HostError }
  | { type: 'exit'; exit: ChildExit; expected: boolean }
  | { type: 'protocol-error'; message: string };

export interface SupervisorOptions {
  host: HostName;
  /** The compiled JavaScript entry (hosts.ts resolves it from dist/ or from the sources). */
  entry: string;
  args?: string[];
  /** Added to the broker's environment. */
  env?: Record<string, string>;
  execArgv?: string[];
  /** Niceness of the host process, 0 (default) to 19. */
  priority?: number;
  readyTimeoutMs?: number;
  /** How long a host may take to exit after shutdown before it is killed. */
  stopTimeoutMs?: number;
  restart?: Partial<RestartPolicy>;
  launcher?: ChildLauncher;
  /** The host's stderr/stdout; default: the broker's stderr, each line prefixed with "[engine-host]". */
  onOutput?: (text: string) => void;
}

export interface RequestOptions<G> {
  onProgress?: (progress: G) => void;
  /** Aborting sends cancel; the promise then settles when the host confirms (E_CANCELLED) or finishes first. */
  signal?: AbortSignal;
}

export class HostSupervisor<M extends MethodTable, C = unknown> {
  private current: HostSession | undefined;
  private status: SupervisorState = 'idle';
  private readyInfo: HostReady<C> | undefined;
  private lastFailure: HostError | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private waiters: Array<{ resolve(session: HostSession): void; reject(error: Error): void }> = [];
  private readonly listeners = new Set<(event: SupervisorEvent<C>) => void>();
  private readonly budget: RestartBudget;
  private readonly launcher: ChildLauncher;
  private nextId = 1;
  private restartCount = 0;

  constructor(private readonly options: SupervisorOptions) {
    this.budget = new RestartBudget({ ...DEFAULT_RESTART_POLICY, ...options.restart });
    this.launcher = options.launcher ?? forkLauncher;
  }

  get state(): SupervisorState {
    return this.status;
  }

  get pid(): number | undefined {
    return this.current && !this.current.hasExited ? this.current.child.pid : undefined;
  }

  /** The last handshake: versions and capabilities of the running host. */
  get ready(): HostReady<C> | undefined {
    return this.readyInfo;
  }

  /** Automatic restarts since the supervisor was created. */
  get restarts(): number {
    return this.restartCount;
  }

  on(listener: (event: SupervisorEvent<C>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts the host and resolves with its handshake; rejects with HostStartError (reason + output tail). */
  async start(): Promise<HostReady<C>> {
    if (this.status === 'ready' && this.readyInfo) return this.readyInfo;
    if (this.status === 'starting' || this.status === 'restarting') {
      await this.whenReady();
      return this.readyInfo as HostReady<C>;
    }
    if (this.status === 'stopping') await this.current?.exited;
    this.budget.reset();
    this.status = 'starting';
    try {
      return await this.launch();
    } catch (error) {
      if (this.status === 'starting') this.fail(error as HostError);
      throw error;
    }
  }

  /**
   * Sends one request. Waits for the host if it is starting or restarting; rejects with HostRequestError (the
   * host's own error: E_BAD_ARGUMENT, E_CANCELLED, E_BUSY, ...), HostCrashError or HostStoppedError.
   */
  async request<K extends MethodName<M>>(
    method: K,
    params: ParamsOf<M, K>,
    options: RequestOptions<ProgressOf<M, K>> = {},
  ): Promise<ResultOf<M, K>> {
    const cancelled = () =>
      new HostRequestError(this.options.host, { code: 'E_CANCELLED', message: `${method} was cancelled before it was sent`, hint: '' });
    if (options.signal?.aborted) throw cancelled();
    const session = await this.whenReady();
    if (options.signal?.aborted) throw cancelled();
    const id = this.nextId++;
    const { signal, onProgress } = options;
    return new Promise((resolve, reject) => {
      const onAbort = () => session.child.send({ kind: 'cancel', id });
      signal?.addEventListener('abort', onAbort, { once: true });
      session.pending.set(id, {
        method,
        resolve: resolve as (value: unknown) => void,
        reject,
        onProgress: onProgress as ((progress: unknown) => void) | undefined,
        detach: () => signal?.removeEventListener('abort', onAbort),
      });
      session.child.send({ kind: 'request', id, method, params });
    });
  }

  /** Asks the host to shut down (in-flight requests fail with HostStoppedError); kills it after stopTimeoutMs. */
  async stop(why = 'stopped'): Promise<void> {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const session = this.current;
    this.status = 'stopping';
    this.rejectWaiters(new HostStoppedError(this.options.host, `the ${this.options.host} host was ${why}`));
    if (session && !session.hasExited) {
      session.stopping = why;
      session.child.send({ kind: 'shutdown' });
      const kill = setTimeout(() => session.child.kill('SIGKILL'), this.options.stopTimeoutMs ?? 5_000);
      await session.exited;
      clearTimeout(kill);
    }
    this.status = 'stopped';
  }

  /** Stops the host (its in-flight requests fail with E_HOST_STOPPED) and starts a fresh one. */
  async restart(): Promise<HostReady<C>> {
    await this.stop('restarted');
    return this.start();
  }

  // ---- lifecycle ----

  private launch(): Promise<HostReady<C>> {
    const { host, entry } = this.options;
    if (!existsSync(entry)) {
      const reason: CrashReason = { kind: 'spawn-failed', message: `expected the compiled host at ${entry}; run npx tsc -p tsconfig.json` };
      return Promise.reject(new HostStartError(host, reason, undefined, ''));
    }
    return new Promise((resolve, reject) => {
      const session = new HostSession();
      const timeoutMs = this.options.readyTimeoutMs ?? 30_000;
      const timer = setTimeout(() => {
        session.startFailure = { kind: 'ready-timeout', timeoutMs };
        session.child.kill('SIGKILL');
      }, timeoutMs);
      session.startup = { resolve: resolve as (ready: HostReady<unknown>) => void, reject, timer };
      this.current = session;
      try {
        session.child = this.launcher.launch(this.launchSpec(), this.childEvents(session));
      } catch (error) {
        clearTimeout(timer);
        session.markExited({ code: null, signal: null });
        reject(new HostStartError(host, { kind: 'spawn-failed', message: (error as Error).message }, undefined, ''));
      }
    });
  }

  private launchSpec(): LaunchSpec {
    const o = this.options;
    return {
      name: `${o.host}-host`,
      entry: o.entry,
      args: o.args ?? [],
      env: { ...process.env, ...o.env },
      execArgv: o.execArgv ?? [],
      priority: o.priority ?? 0,
    };
  }

  private childEvents(session: HostSession): ChildEvents {
    const prefix = `[${this.options.host}-host] `;
    const output = this.options.onOutput ?? ((text: string) => process.stderr.write(text.replace(/^(?=.)/gm, prefix)));
    return {
      message: (message) => this.onMessage(session, message),
      output: (text) => {
        session.tail.push(text);
        output(text);
      },
      exit: (exit) => {
        session.markExited(exit);
        this.onExit(session, exit);
      },
    };
  }

  private onMessage(session: HostSession, raw: unknown): void {
    if (session !== this.current) return;
    let message: HostMessage;
    try {
      message = parseHostMessage(raw);
    } catch (error) {
      this.emit({ type: 'protocol-error', message: (error as Error).message });
      return;
    }
    switch (message.kind) {
      case 'ready':
        return this.onReady(session, message as ReadyMessage<C>);
      case 'fatal':
        session.fatal = message.error;
        return;
      case 'progress': {
        const pending = session.pending.get(message.id);
        try {
          pending?.onProgress?.(message.progress);
        } catch (error) {
          // A failing listener is the caller's bug: end its request rather than the broker.
          session.child.send({ kind: 'cancel', id: message.id });
          session.settle(message.id, error as Error);
        }
        return;
      }
      case 'result':
        return session.settle(message.id, undefined, message.result);
      case 'error':
        return session.settle(message.id, new HostRequestError(this.options.host, message.error));
    }
  }

  private onReady(session: HostSession, message: ReadyMessage<C>): void {
    const { host } = this.options;
    const startup = session.startup;
    if (!startup || session.stopping) return;
    const problem =
      message.host !== host
        ? `expected host ${host}, received ${message.host}`
        : message.protocol !== PROTOCOL_VERSION
          ? `expected protocol ${PROTOCOL_VERSION}, received ${message.protocol} (a stale build of the host: run npx tsc -p tsconfig.json)`
          : undefined;
    if (problem) {
      session.startFailure = { kind: 'bad-handshake', message: problem };
      session.child.kill('SIGKILL');
      return;
    }
    clearTimeout(startup.timer);
    session.startup = undefined;
    session.readyAt = Date.now();
    const ready: HostReady<C> = {
      host: message.host,
      protocol: message.protocol,
      pid: message.pid,
      versions: message.versions,
      capabilities: message.capabilities,
    };
    this.readyInfo = ready;
    this.status = 'ready';
    startup.resolve(ready);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve(session);
    this.emit({ type: 'ready', ready, restarts: this.restartCount });
  }

  private onExit(session: HostSession, exit: ChildExit): void {
    if (session.startup) clearTimeout(session.startup.timer);
    if (session !== this.current) return;
    const { host } = this.options;
    const tail = session.tail.toString();
    this.emit({ type: 'exit', exit, expected: session.stopping !== undefined });
    if (session.stopping !== undefined) {
      const why = session.stopping;
      session.startup?.reject(new HostStoppedError(host, `the ${host} host was ${why} before it was ready`));
      session.rejectAll((id, p) => new HostStoppedError(host, `the ${host} host was ${why} during ${p.method} (request ${id})`));
      return;
    }
    const reason = session.startFailure ?? crashReason(exit, session.fatal, tail);
    if (session.startup) {
      session.startup.reject(new HostStartError(host, reason, exit, tail));
      return;
    }
    const inFlight = session.pending.size;
    session.rejectAll((id, p) => new HostCrashError(host, reason, exit, tail, `${p.method} (request ${id})`));
    this.emit({ type: 'crash', reason, exit, inFlight });
    this.scheduleRestart(Date.now() - session.readyAt, new HostCrashError(host, reason, exit, tail, 'its last run'));
  }

  private scheduleRestart(upForMs: number, cause: HostError): void {
    const delayMs = this.budget.next(upForMs);
    if (delayMs === undefined) return this.fail(cause);
    this.status = 'restarting';
    this.emit({ type: 'restarting', attempt: this.budget.attempts, delayMs });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.restartCount += 1;
      this.launch().catch((error: HostError) => {
        if (this.status === 'restarting') this.scheduleRestart(0, error);
      });
    }, delayMs);
  }

  private fail(error: HostError): void {
    this.status = 'failed';
    this.lastFailure = error;
    this.rejectWaiters(error);
    this.emit({ type: 'failed', error });
  }

  // ---- requests ----

  private whenReady(): Promise<HostSession> {
    const { host } = this.options;
    if (this.status === 'ready' && this.current) return Promise.resolve(this.current);
    if (this.status === 'starting' || this.status === 'restarting') {
      return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
    }
    if (this.status === 'failed' && this.lastFailure) return Promise.reject(this.lastFailure);
    return Promise.reject(new HostStoppedError(host, `the ${host} host is not running (${this.status}): call start() first`));
  }

  private rejectWaiters(error: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(error);
  }

  private emit(event: SupervisorEvent<C>): void {
    for (const listener of this.listeners) listener(event);
  }
}
