// The envelope every host speaks, whatever its methods: requests with ids, progress events, results, errors,
// cancel and shutdown, and the ready handshake. Method tables (engine.ts, media.ts) give params, results and
// progress their types; the validators here check the envelope on whichever end receives it.
import { HOST_ERROR_CODES, type HostErrorCode, type WireError } from './errors.js';
import { describeValue, ValidationError } from './validate.js';

/** Bumped on any incompatible change, so a stale compiled host is refused at the handshake. */
export const PROTOCOL_VERSION = 1;

export type HostName = 'engine' | 'media';
export const HOST_NAMES: readonly HostName[] = ['engine', 'media'];

/** One method: what the caller sends, what comes back, and what progress events carry (never: none). */
export interface MethodSpec<P, R, G = never> {
  params: P;
  result: R;
  progress: G;
}

export type MethodTable = { [method: string]: MethodSpec<unknown, unknown, unknown> };
export type MethodName<M extends MethodTable> = keyof M & string;
export type ParamsOf<M extends MethodTable, K extends keyof M> = M[K]['params'];
export type ResultOf<M extends MethodTable, K extends keyof M> = M[K]['result'];
export type ProgressOf<M extends MethodTable, K extends keyof M> = M[K]['progress'];

/** The host checks params with these before any work starts (deep checks stay in the facades). */
export type ParamValidators<M extends MethodTable> = { [K in keyof M]: (params: unknown) => M[K]['params'] };

// ---- broker -> host ----

export interface RequestMessage {
  kind: 'request';
  id: number;
  method: string;
  params: unknown;
}

/** Asks the host to abort request id; the request still ends with its own error or result message. */
export interface CancelMessage {
  kind: 'cancel';
  id: number;
}

/** Cancel everything, release resources, exit 0. */
export interface ShutdownMessage {
  kind: 'shutdown';
}

export type ParentMessage = RequestMessage | CancelMessage | ShutdownMessage;

// ---- host -> broker ----

export interface ReadyMessage<C = unknown> {
  kind: 'ready';
  host: HostName;
  protocol: number;
  pid: number;
  versions: Record<string, string>;
  capabilities: C;
}

export interface ProgressMessage {
  kind: 'progress';
  id: number;
  progress: unknown;
}

export interface ResultMessage {
  kind: 'result';
  id: number;
  result: unknown;
}

export interface ErrorMessage {
  kind: 'error';
  id: number;
  error: WireError;
}

/** The host's last words before it exits: an exception at startup or one nobody caught while serving. */
export interface FatalMessage {
  kind: 'fatal';
  phase: 'startup' | 'running';
  error: { name: string; message: string; stack: string };
}

export type HostMessage = ReadyMessage | ProgressMessage | ResultMessage | ErrorMessage | FatalMessage;

// ---- envelope validation ----

function protocolError(what: string, value: unknown): never {
  throw new ValidationError('E_PROTOCOL', `expected ${what}, received ${describeValue(value)}`);
}

function envelope(value: unknown): Record<string, unknown> & { kind: unknown } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) protocolError('a message object', value);
  return value as Record<string, unknown> & { kind: unknown };
}

function requestId(m: Record<string, unknown>): number {
  const id = m['id'];
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) protocolError(`a ${String(m['kind'])} id (a positive integer)`, id);
  return id;
}

function str(m: Record<string, unknown>, key: string): string {
  const v = m[key];
  if (typeof v !== 'string') protocolError(`${key} to be a string`, v);
  return v;
}

export function parseParentMessage(value: unknown): ParentMessage {
  const m = envelope(value);
  switch (m.kind) {
    case 'request':
      return { kind: 'request', id: requestId(m), method: str(m, 'method'), params: m['params'] };
    case 'cancel':
      return { kind: 'cancel', id: requestId(m) };
    case 'shutdown':
      return { kind: 'shutdown' };
    default:
      return protocolError('kind request, cancel or shutdown', m.kind);
  }
}

function wireError(value: unknown): WireError {
  const e = envelope(value);
  const code = e['code'];
  if (!HOST_ERROR_CODES.includes(code as HostErrorCode)) protocolError('a known error code', code);
  return { code: code as HostErrorCode, message: str(e, 'message'), hint: str(e, 'hint') };
}

export function parseHostMessage(value: unknown): HostMessage {
  const m = envelope(value);
  switch (m.kind) {
    case 'ready': {
      const host = m['host'];
      if (!HOST_NAMES.includes(host as HostName)) protocolError(`host ${HOST_NAMES.join(' or ')}`, host);
      const versions = m['versions'];
      if (typeof versions !== 'object' || versions === null) protocolError('versions to be an object', versions);
      if (typeof m['protocol'] !== 'number' || typeof m['pid'] !== 'number') protocolError('numeric protocol and pid', m);
      return {
        kind: 'ready',
        host: host as HostName,
        protocol: m['protocol'],
        pid: m['pid'],
        versions: versions as Record<string, string>,
        capabilities: m['capabilities'],
      };
    }
    case 'progress':
      return { kind: 'progress', id: requestId(m), progress: m['progress'] };
    case 'result':
      return { kind: 'result', id: requestId(m), result: m['result'] };
    case 'error':
      return { kind: 'error', id: requestId(m), error: wireError(m['error']) };
    case 'fatal': {
      const phase = m['phase'];
      if (phase !== 'startup' && phase !== 'running') protocolError('phase startup or running', phase);
      const e = envelope(m['error']);
      return { kind: 'fatal', phase, error: { name: str(e, 'name'), message: str(e, 'message'), stack: str(e, 'stack') } };
    }
    default:
      return protocolError('kind ready, progress, result, error or fatal', m.kind);
  }
}
