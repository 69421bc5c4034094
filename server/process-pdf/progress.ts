/** Settings of a progress writer: how often it may write, and how often it beats while idle. */
export interface ProgressTiming {
  /** Least time between two writes: reports in between only update what the next write says. */
  intervalMs: number;
  /** A write (the heartbeat) at least this often while running, even without progress. */
  heartbeatMs: number;
}

type Progress = { done: number; total: number };

/**
 * Throttles a job's progress writes off the hot path: `report()` is synchronous and never waits on
 * the database; at most one write is in flight, at most one starts per `intervalMs`, and a report
 * that arrives in between is written when the interval ends (so the last report is written unless
 * `stop()` comes first — the caller's final write then carries it). A heartbeat writes the current
 * progress every `heartbeatMs` so a long document does not make a live job look abandoned.
 * Write errors go to `onError`; they never fail the job.
 */
export class ProgressWriter {
  private latest: Progress = { done: 0, total: 0 };
  private written: Progress | null = null;
  private lastStart = -Infinity;
  private inFlight: Promise<void> | null = null;
  private trailing: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly write: (progress: Progress) => Promise<void>,
    private readonly timing: ProgressTiming,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.heartbeat = setInterval(() => this.start(true), timing.heartbeatMs);
    this.heartbeat.unref();
  }

  /** The last progress reported. */
  get current(): Progress {
    return { ...this.latest };
  }

  report(done: number, total: number): void {
    if (this.stopped) return;
    this.latest = { done, total };
    this.schedule();
  }

  /** No more writes; resolves when the one in flight (if any) has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.trailing) clearTimeout(this.trailing);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.trailing = this.heartbeat = null;
    await this.inFlight;
  }

  private schedule(): void {
    if (this.inFlight || this.trailing || this.isWritten()) return;
    const wait = this.lastStart + this.timing.intervalMs - this.now();
    if (wait <= 0) return this.start(false);
    this.trailing = setTimeout(() => {
      this.trailing = null;
      this.start(false);
    }, wait);
    this.trailing.unref();
  }

  private isWritten(): boolean {
    return !!this.written && this.written.done === this.latest.done && this.written.total === this.latest.total;
  }

  private start(beat: boolean): void {
    if (this.stopped || this.inFlight || (!beat && this.isWritten())) return;
    const progress = this.latest;
    this.lastStart = this.now();
    this.inFlight = this.write(progress).then(
      () => {
        this.written = progress;
      },
      (err: unknown) => this.onError(err),
    );
    void this.inFlight.finally(() => {
      this.inFlight = null;
      if (!this.stopped) this.schedule();
    });
  }
}
