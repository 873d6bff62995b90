// Turns a host's exit into a reason a person can act on, and the typed errors the supervisor rejects with.
// The reason is read from the exit status, the host's last-words message and, failing those, its output tail
// (diagnosis only: progress and results never come from text).
import { type CrashReason, describeCrashReason, type HostErrorCode, type WireError } from '../../common/protocol/errors.js';
import type { FatalMessage, HostName } from '../../common/protocol/messages.js';
import type { ChildExit } from './launcher.js';

const TAIL_CHARS = 8192;

/** The last few kB a host wrote: enough for a stack trace, bounded however chatty the host is. */
export class OutputTail {
  private text = '';

  push(chunk: string): void {
    this.text = (this.text + chunk).slice(-TAIL_CHARS);
  }

  toString(): string {
    return this.text;
  }
}

const OUT_OF_MEMORY = [
  /JavaScript heap out of memory/,
  /std::bad_alloc/,
  /CUDA out of memory/i,
  /Cannot allocate memory/,
  /\bout of memory\b/i,
];
// Node prints an uncaught error as "Error: message" (or "TypeError [CODE]: message") after the source excerpt.
const UNCAUGHT_LINE = /^(?:Uncaught )?([A-Z]\w*(?:Error|Exception))(?: \[\w+\])?: (.+)$/m;

export function crashReason(exit: ChildExit, fatal: FatalMessage['error'] | undefined, tail: string): CrashReason {
  const said = `${fatal?.message ?? ''}\n${tail}`;
  const oom = OUT_OF_MEMORY.map((re) => re.exec(said)).find((m) => m !== null);
  if (oom) return { kind: 'out-of-memory', message: lineAround(said, oom.index) };
  if (fatal) return { kind: 'uncaught-exception', message: `${fatal.name}: ${fatal.message}` };
  if (exit.signal) return { kind: 'signal', signal: exit.signal };
  const uncaught = exit.code !== 0 ? UNCAUGHT_LINE.exec(tail) : null;
  if (uncaught) return { kind: 'uncaught-exception', message: `${uncaught[1]}: ${uncaught[2]}` };
  return { kind: 'exit-code', code: exit.code ?? -1 };
}

function lineAround(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index) + 1;
  const end = text.indexOf('\n', index);
  return text.slice(start, end === -1 ? undefined : end).trim();
}

function crashHint(reason: CrashReason): string {
  switch (reason.kind) {
    case 'out-of-memory':
      return 'Lower the resolution or the number of images, use fp16, or close other applications, then run the job again.';
    case 'signal':
      return reason.signal === 'SIGKILL'
        ? 'Something killed the process (a person, or the system when memory ran out). Run the job again; training resumes from its last checkpoint.'
        : 'The process was stopped from outside. Run the job again.';
    case 'uncaught-exception':
      return 'This is a bug in MagiCapture Studio; the host was restarted. Please report it with the log.';
    default:
      return 'The host was restarted; run the job again. If it keeps happening, report it with the log.';
  }
}

export class HostError extends Error {
  constructor(
    readonly code: HostErrorCode,
    readonly host: HostName,
    message: string,
    readonly hint = '',
  ) {
    super(message);
    this.name = 'HostError';
  }

  /** What the broker forwards to the renderer or the job log. */
  toWire(): WireError {
    return { code: this.code, message: this.message, hint: this.hint };
  }
}

/** The host answered the request with an error (bad argument, cancelled, busy, engine failure...). */
export class HostRequestError extends HostError {
  constructor(host: HostName, error: WireError) {
    super(error.code, host, error.message, error.hint);
    this.name = 'HostRequestError';
  }
}

/** The host died while this request was in flight. */
export class HostCrashError extends HostError {
  constructor(
    host: HostName,
    readonly reason: CrashReason,
    readonly exit: ChildExit,
    readonly outputTail: string,
    during: string,
  ) {
    super('E_HOST_CRASHED', host, `the ${host} host ${describeCrashReason(reason)} during ${during}`, crashHint(reason));
    this.name = 'HostCrashError';
  }
}

/** The host did not get to ready: it threw at startup, exited, timed out or sent a bad handshake. */
export class HostStartError extends HostError {
  constructor(
    host: HostName,
    readonly reason: CrashReason,
    readonly exit: ChildExit | undefined,
    readonly outputTail: string,
  ) {
    const tail = outputTail.trim().split('\n').slice(-12).join('\n');
    super(
      'E_HOST_START_FAILED',
      host,
      `the ${host} host failed to start: it ${describeCrashReason(reason)}${tail ? `\n--- its output ---\n${tail}` : ''}`,
      `Check that the app is fully built (npm run build) and see the host's output above.`,
    );
    this.name = 'HostStartError';
  }
}

export class HostStoppedError extends HostError {
  constructor(host: HostName, message: string) {
    super('E_HOST_STOPPED', host, message, 'The host was stopped on purpose; run the job again once it has started.');
    this.name = 'HostStoppedError';
  }
}
