// Progress of running jobs, throttled: a tiny model reports hundreds of steps a second, and every event crosses
// to the renderer (IPC or WebSocket) and every saved row is a write. Events go out at most every `emitMs` per job
// and rows at most every `persistMs`; the latest value always follows (trailing timer), and flush() sends it at
// once before a state change. The ETA comes from the pace of the current attempt, measured from its first
// report, so a training resumed at step 900 is not credited with the 900 steps of an earlier attempt.
import type { JobProgress, ProgressUpdate } from './job-types.js';

export interface ProgressSink {
  emit(id: number, progress: JobProgress): void;
  persist(id: number, progress: JobProgress): void;
}

interface Tracked {
  first: { done: number; at: number } | undefined;
  latest: JobProgress | undefined;
  emittedAt: number;
  persistedAt: number;
  unsent: boolean;
  unsaved: boolean;
  timer: NodeJS.Timeout | undefined;
}

export class ProgressReporter {
  private readonly jobs = new Map<number, Tracked>();

  constructor(
    private readonly sink: ProgressSink,
    private readonly emitMs = 250,
    private readonly persistMs = 1000,
  ) {}

  begin(id: number): void {
    this.end(id);
    this.jobs.set(id, { first: undefined, latest: undefined, emittedAt: 0, persistedAt: 0, unsent: false, unsaved: false, timer: undefined });
  }

  update(id: number, update: ProgressUpdate): void {
    const tracked = this.jobs.get(id);
    if (!tracked) return;
    const now = Date.now();
    const total = Math.max(0, update.total);
    const done = Math.min(Math.max(0, update.done), total);
    tracked.first ??= { done, at: now };
    const pace = done > tracked.first.done ? (now - tracked.first.at) / 1000 / (done - tracked.first.done) : undefined;
    tracked.latest = {
      done,
      total,
      fraction: total === 0 ? 0 : done / total,
      etaSeconds: pace === undefined ? null : Math.round(pace * (total - done) * 10) / 10,
      message: update.message ?? null,
      detail: update.detail ?? null,
      updatedAt: now,
    };
    tracked.unsent = true;
    tracked.unsaved = true;
    if (now - tracked.emittedAt >= this.emitMs) this.send(id, tracked, now);
    else tracked.timer ??= setTimeout(() => this.send(id, tracked, Date.now()), this.emitMs - (now - tracked.emittedAt)).unref();
  }

  /** Sends and saves the latest value now (before the job changes state). */
  flush(id: number): void {
    const tracked = this.jobs.get(id);
    if (!tracked) return;
    this.send(id, tracked, Date.now());
    if (tracked.unsaved && tracked.latest) this.save(id, tracked, Date.now());
  }

  end(id: number): void {
    this.flush(id);
    this.jobs.delete(id);
  }

  close(): void {
    for (const id of [...this.jobs.keys()]) this.end(id);
  }

  private send(id: number, tracked: Tracked, now: number): void {
    clearTimeout(tracked.timer);
    tracked.timer = undefined;
    if (!tracked.unsent || !tracked.latest) return;
    tracked.unsent = false;
    tracked.emittedAt = now;
    if (now - tracked.persistedAt >= this.persistMs) this.save(id, tracked, now);
    this.sink.emit(id, tracked.latest);
  }

  private save(id: number, tracked: Tracked, now: number): void {
    tracked.unsaved = false;
    tracked.persistedAt = now;
    try {
      this.sink.persist(id, tracked.latest as JobProgress);
    } catch (error) {
      // Progress is advisory: a failed write (the job row deleted with its client) must not fail the job.
      console.error(`[jobs] could not save the progress of job ${id}: ${(error as Error).message}`);
    }
  }
}
