// The supervisor's launcher for the desktop app: hosts run as Electron utility processes (DESIGN.md §1), with
// the same lifecycle the forked hosts of the headless studio have (launcher.ts documents the contract).
import { setPriority } from 'node:os';

import { utilityProcess } from 'electron';

import type { ChildLauncher } from '../services/processes/launcher.js';

export const utilityLauncher: ChildLauncher = {
  launch(spec, events) {
    const env = Object.fromEntries(Object.entries(spec.env).filter((e): e is [string, string] => e[1] !== undefined));
    const child = utilityProcess.fork(spec.entry, spec.args, { env, execArgv: spec.execArgv, stdio: 'pipe', serviceName: spec.name });
    let exited = false;
    child.on('message', (message: unknown) => events.message(message));
    child.stdout?.setEncoding('utf8').on('data', (text: string) => events.output(text));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => events.output(text));
    // utilityProcess reports an exit code only; a kill by signal or a crash shows as a non-zero code.
    child.on('exit', (code: number) => {
      if (!exited) events.exit({ code, signal: null });
      exited = true;
    });
    child.once('spawn', () => {
      if (spec.priority === 0 || child.pid === undefined) return;
      try {
        setPriority(child.pid, spec.priority);
      } catch {
        // Not permitted everywhere; the host still works at normal priority.
      }
    });
    return {
      get pid() {
        return child.pid;
      },
      send(message) {
        // postMessage throws once the process is gone; its exit event follows, which is what the supervisor reads.
        if (exited) return;
        try {
          child.postMessage(message);
        } catch (error) {
          events.output(`[supervisor] could not send ${message.kind}: ${(error as Error).message}\n`);
        }
      },
      kill() {
        child.kill();
      },
    };
  },
};
