import { logger } from '../logger';

/**
 * Runs `step` again and again, `intervalMs` after each run ends (never two at once); a failed run is
 * logged with `failure` and the loop goes on. `stop()` waits for the run in progress. The workers
 * that poll a platform table (the outbox, the export jobs) share it.
 */
export class PollingLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly step: () => Promise<unknown>,
    private readonly failure: string,
  ) {}

  start(intervalMs: number): void {
    const tick = (): void => {
      this.running = this.step()
        .catch((err: unknown) => logger.error({ err }, this.failure))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
