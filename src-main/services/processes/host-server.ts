// Runs inside a host process: the serve loop every host shares. It validates each request, enforces the
// one-job-at-a-time rule for exclusive methods, turns cancel into an AbortSignal, forwards progress as
// events, and makes sure the broker hears why the host dies (a startup error or an uncaught exception).
import { toWireError, type WireError } from '../../common/protocol/errors.js';
import {
  type HostMessage,
  type HostName,
  type MethodTable,
  type ParamValidators,
  parseParentMessage,
  PROTOCOL_VERSION,
  type RequestMessage,
} from '../../common/protocol/messages.js';
import { type HostPort, parentPort } from './host-port.js';

export interface HostContext<G> {
  id: number;
  /** Aborted when the broker cancels this request or shuts the host down. */
  signal: AbortSignal;
  progress(progress: G): void;
}

export type HostHandlers<M extends MethodTable> = {
  [K in keyof M]: (params: M[K]['params'], context: HostContext<M[K]['progress']>) => Promise<M[K]['result']>;
};

export interface HostDefinition<M extends MethodTable, C> {
  host: HostName;
  /** Loads what the host needs and describes it; a throw here reaches the broker as a start failure. */
  start(): Promise<{ versions: Record<string, string>; capabilities: C }>;
  validators: ParamValidators<M>;
  handlers: HostHandlers<M>;
  /** Methods that need the host to themselves: another one arriving meanwhile is refused with E_BUSY. */
  exclusive?: ReadonlyArray<keyof M>;
  /** Releases resources before a clean exit, after every in-flight request has ended. */
  stop?(): Promise<void> | void;
}

/** EX_SOFTWARE: the exit code of a host that died of an uncaught exception. */
const EXIT_UNCAUGHT = 70;

export function serveHost<M extends MethodTable, C>(definition: HostDefinition<M, C>, port: HostPort = parentPort()): void {
  const { host } = definition;
  const inflight = new Map<number, { controller: AbortController; done: Promise<void> }>();
  const exclusive = new Set<string>((definition.exclusive ?? []) as string[]);
  let running: { id: number; method: string } | undefined;
  let phase: 'startup' | 'running' = 'startup';
  let stopping = false;

  let dying = false;
  async function die(error: unknown): Promise<void> {
    if (dying) return;
    dying = true;
    const e = error instanceof Error ? error : new Error(String(error));
    console.error(e.stack ?? e.message);
    const lastWords: HostMessage = { kind: 'fatal', phase, error: { name: e.name, message: e.message, stack: e.stack ?? '' } };
    // The flush is bounded: a wedged channel must not keep a broken host alive.
    await Promise.race([port.post(lastWords), new Promise((r) => setTimeout(r, 1_000))]);
    process.exit(phase === 'startup' ? 1 : EXIT_UNCAUGHT);
  }
  process.on('uncaughtException', (error) => void die(error));
  process.on('unhandledRejection', (error) => void die(error));

  const refuse = (id: number, error: WireError) => port.post({ kind: 'error', id, error });

  async function serve({ id, method, params }: RequestMessage): Promise<void> {
    if (phase !== 'running' || stopping) {
      return refuse(id, { code: 'E_HOST_STOPPED', message: `the ${host} host is not serving (${stopping ? 'stopping' : 'starting'})`, hint: '' });
    }
    if (!Object.hasOwn(definition.handlers, method)) {
      const known = Object.keys(definition.handlers).join(', ');
      return refuse(id, { code: 'E_UNKNOWN_METHOD', message: `expected a method of the ${host} host (${known}), received ${JSON.stringify(method)}`, hint: '' });
    }
    const key = method as keyof M;
    let valid: unknown;
    try {
      valid = definition.validators[key](params);
    } catch (error) {
      return refuse(id, toWireError(error));
    }
    if (exclusive.has(method)) {
      if (running) {
        return refuse(id, {
          code: 'E_BUSY',
          message: `expected the ${host} host to be idle, but request ${running.id} (${running.method}) is running`,
          hint: 'The engine runs one job at a time: wait for the running job, or cancel it.',
        });
      }
      running = { id, method };
    }
    const controller = new AbortController();
    const handler = definition.handlers[key] as (p: unknown, c: HostContext<unknown>) => Promise<unknown>;
    const context: HostContext<unknown> = {
      id,
      signal: controller.signal,
      progress: (progress) => void port.post({ kind: 'progress', id, progress }),
    };
    const done = (async () => {
      let reply: HostMessage;
      try {
        reply = { kind: 'result', id, result: await handler(valid, context) };
      } catch (error) {
        reply = { kind: 'error', id, error: toWireError(error) };
      } finally {
        if (running?.id === id) running = undefined;
      }
      // During shutdown the broker fails these itself (E_HOST_STOPPED): a job stopped with the app is not one
      // the user cancelled, and must stay resumable.
      if (!stopping) await port.post(reply);
    })();
    inflight.set(id, { controller, done });
    await done;
    inflight.delete(id);
  }

  async function shutdown(): Promise<void> {
    if (stopping) return;
    stopping = true;
    for (const request of inflight.values()) request.controller.abort();
    await Promise.allSettled([...inflight.values()].map((r) => r.done));
    try {
      await definition.stop?.();
    } catch (error) {
      console.error(`[${host}-host] while stopping: ${(error as Error).message}`);
    }
    process.exit(0);
  }

  port.onMessage((raw) => {
    let message;
    try {
      message = parseParentMessage(raw);
    } catch (error) {
      console.error(`[${host}-host] ignored a bad message: ${(error as Error).message}`);
      return;
    }
    if (message.kind === 'shutdown') void shutdown();
    else if (message.kind === 'cancel') inflight.get(message.id)?.controller.abort();
    else void serve(message);
  });
  port.onDisconnect(() => void shutdown());

  void (async () => {
    try {
      const { versions, capabilities } = await definition.start();
      if (stopping) return;
      phase = 'running';
      await port.post({ kind: 'ready', host, protocol: PROTOCOL_VERSION, pid: process.pid, versions, capabilities });
    } catch (error) {
      await die(error);
    }
  })();
}
