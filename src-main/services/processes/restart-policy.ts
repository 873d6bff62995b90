// Bounded automatic restarts: a host that crashes is restarted after a growing delay, a few times in a row at
// most, so a host that cannot run (a broken driver, a corrupt install) does not spin forever.

export interface RestartPolicy {
  /** Restarts in a row before the supervisor gives up and reports the host as failed. */
  maxRestarts: number;
  /** The delay before restart n; the last value repeats. */
  backoffMs: number[];
  /** A host that stayed up this long before it crashed starts the count afresh. */
  resetAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { maxRestarts: 3, backoffMs: [250, 1000, 4000], resetAfterMs: 60_000 };

export class RestartBudget {
  private used = 0;

  constructor(private readonly policy: RestartPolicy) {}

  /** The delay before the next restart, or undefined when the budget is spent. */
  next(upForMs: number): number | undefined {
    if (upForMs >= this.policy.resetAfterMs) this.used = 0;
    if (this.used >= this.policy.maxRestarts) return undefined;
    const delays = this.policy.backoffMs;
    const delay = delays[Math.min(this.used, delays.length - 1)] ?? 0;
    this.used += 1;
    return delay;
  }

  get attempts(): number {
    return this.used;
  }

  reset(): void {
    this.used = 0;
  }
}
