// What the engine-vs-peer benchmarks share: the persistent Python peer (one JSON request per line, one reply per
// line), timing of an engine call in wall and CPU seconds, interleaved runs, medians and formatting.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export class Peer {
  /** `name` labels its errors, e.g. "diffusers peer". */
  constructor(python, script, name) {
    this.name = name;
    this.child = spawn(python, [script], { env: process.env, stdio: ['pipe', 'pipe', 'inherit'] });
    this.pending = new Map();
    this.nextId = 1;
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const reply = JSON.parse(line);
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply);
      else waiter.reject(new Error(`${this.name}: ${reply.error}`));
    });
    this.child.on('exit', (code) => {
      for (const w of this.pending.values()) w.reject(new Error(`${this.name} exited with code ${code}`));
      this.pending.clear();
    });
  }

  call(cmd, args = {}) {
    const id = this.nextId++;
    return new Promise((resolvePromise, reject) => {
      this.pending.set(id, { resolve: resolvePromise, reject });
      this.child.stdin.write(JSON.stringify({ id, cmd, ...args }) + '\n');
    });
  }

  quit() {
    this.child.stdin.write(JSON.stringify({ id: 0, cmd: 'quit' }) + '\n');
    this.child.stdin.end();
  }
}

/** Wall and CPU seconds (all threads of this process) of one engine call. */
export async function timed(call) {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const result = await call();
  const used = process.cpuUsage(cpu);
  return { wall: (performance.now() - wall) / 1000, cpu: (used.user + used.system) / 1e6, result };
}

export const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const fmt = (s) => (s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`);

/** Runs engine and peer alternately, swapping who goes first each round (E P, P E, E P, ...). */
export async function interleave(runs, engineRun, peerRun, onRound) {
  const engine = [];
  const peer = [];
  for (let i = 0; i < runs; i++) {
    for (const who of i % 2 === 0 ? ['e', 'p'] : ['p', 'e']) {
      if (who === 'e') engine.push(await engineRun(i));
      else peer.push(await peerRun(i));
    }
    onRound?.(i, engine.at(-1), peer.at(-1));
  }
  return { engine, peer };
}
