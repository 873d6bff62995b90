// Training progress on stderr: one bar per phase with step/total, ETA and the loss terms of the last step.
import type { TrainProgress } from '../../native/lib/training.js';
import { ProgressBar } from './progress-bar.js';

const PHASES = { 1: 'phase 1/2 textual inversion', 2: 'phase 2/2 LoRA' } as const;
const LOSS_ORDER = ['total', 'mask', 'attn', 'id'];

export function formatLosses(losses: Record<string, number>): string {
  const names = [...LOSS_ORDER.filter((n) => n in losses), ...Object.keys(losses).filter((n) => !LOSS_ORDER.includes(n))];
  return names.map((n) => `${n === 'total' ? 'loss' : n} ${(losses[n] as number).toPrecision(3)}`).join(' ');
}

export class TrainProgressView {
  private bar: ProgressBar | undefined;
  private phase = 0;
  private phaseStart = { step: 0, time: 0 };
  private lineOpen = false;
  /** The last step reported in this process (0 before the first). */
  lastStep = 0;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(p: TrainProgress): void {
    const now = Date.now();
    if (p.phase !== this.phase) {
      this.close();
      this.bar = new ProgressBar(PHASES[p.phase], this.stream);
      this.phase = p.phase;
      // The first reported step of a phase also paid for its preparation (every item through the VAE).
      this.phaseStart = { step: p.step, time: now };
    }
    this.lastStep = p.step;
    // The rate of this phase in this process: phase 2 steps cost several phase 1 steps, and after --resume the
    // engine's elapsed time does not cover the steps done before.
    const done = p.step - this.phaseStart.step;
    const eta = done > 0 ? ((now - this.phaseStart.time) / 1000 / done) * (p.total - p.step) : undefined;
    this.bar?.update(p.step, p.total, eta, formatLosses(p.losses));
    // ProgressBar ends a redrawn line itself at the last step.
    this.lineOpen = this.stream.isTTY === true && p.step < p.total;
  }

  /** Ends a redrawn bar's line before other messages. */
  close(): void {
    if (this.lineOpen) this.stream.write('\n');
    this.lineOpen = false;
  }
}
