// How a host process is started: the supervisor talks to this small interface, so Electron's utilityProcess
// can replace child_process.fork without touching the supervisor. An Electron adapter (in src-main/main) does:
//   const child = utilityProcess.fork(spec.entry, spec.args, { env: spec.env, stdio: 'pipe', serviceName: spec.name });
//   child.on('message', events.message); child.stderr?.on('data', (b) => events.output(String(b)));
//   child.on('exit', (code) => events.exit({ code, signal: null }));   // utilityProcess reports no signal
//   return { get pid() { return child.pid; }, send: (m) => child.postMessage(m), kill: () => child.kill() };
import { fork } from 'node:child_process';
import { setPriority } from 'node:os';

import type { ParentMessage } from '../../common/protocol/messages.js';

export interface LaunchSpec {
  /** "engine-host", "media-host": names the process in logs and in Electron's task manager. */
  name: string;
  /** The compiled JavaScript entry of the host. */
  entry: string;
  args: string[];
  env: Record<string, string | undefined>;
  execArgv: string[];
  /** Niceness 0 (normal) to 19 (lowest); best effort, so the broker and the UI win the CPU over a long job. */
  priority: number;
}

export interface ChildExit {
  code: number | null;
  signal: string | null;
}

export interface ChildEvents {
  message(message: unknown): void;
  /** The host's stderr and stdout: forwarded to the broker's log and kept as the tail that explains a crash. */
  output(text: string): void;
  /** Called once, after the process has gone and its output has been read. */
  exit(exit: ChildExit): void;
}

export interface ChildHandle {
  readonly pid: number | undefined;
  /** Never throws: a message to a dead child is dropped, and its exit event follows. */
  send(message: ParentMessage): void;
  kill(signal?: NodeJS.Signals): void;
}

export interface ChildLauncher {
  launch(spec: LaunchSpec, events: ChildEvents): ChildHandle;
}

/** Headless hosts: a forked Node process; 'advanced' serialization carries typed arrays and Buffers intact. */
export const forkLauncher: ChildLauncher = {
  launch(spec, events) {
    const child = fork(spec.entry, spec.args, {
      env: spec.env,
      execArgv: spec.execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.on('message', (message) => events.message(message));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => events.output(text));
    child.stdout?.setEncoding('utf8').on('data', (text: string) => events.output(text));
    let exited = false;
    const exit = (e: ChildExit) => {
      if (!exited) events.exit(e);
      exited = true;
    };
    // 'close' waits for stderr to drain, so the tail that explains a crash is complete.
    child.on('close', (code, signal) => exit({ code, signal }));
    child.on('error', (error) => {
      if (child.pid === undefined) {
        events.output(`${error.message}\n`);
        exit({ code: null, signal: null });
      }
    });
    if (spec.priority !== 0 && child.pid !== undefined) {
      try {
        setPriority(child.pid, spec.priority);
      } catch {
        // Not permitted everywhere (containers, some sandboxes); the host still works at normal priority.
      }
    }
    return {
      get pid() {
        return child.pid;
      },
      send(message) {
        if (!child.connected) return;
        child.send(message, (error) => {
          if (error) events.output(`[supervisor] could not send ${message.kind}: ${error.message}\n`);
        });
      },
      kill(signal = 'SIGKILL') {
        child.kill(signal);
      },
    };
  },
};
