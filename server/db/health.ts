import type { RequestHandler } from 'express';
import { logger } from '../logger';
import { DatabaseUnavailableError, isDatabaseUnavailable } from './unavailable';

/**
 * What this web process knows of the database: up, or down since a request found it out of reach.
 * While it is down, requests are answered 503 at once instead of queueing for a pool connection that
 * cannot be made (they would each wait seconds and hold the pool when the database returns); one
 * probe every `probeEveryMs` finds out when it is back, and then requests flow again.
 */
export class DatabaseHealth {
  private downSince: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private checking = false;

  constructor(
    private readonly probe: () => Promise<unknown>,
    private readonly probeEveryMs = 250,
  ) {}

  isDown(): boolean {
    return this.downSince !== null;
  }

  /**
   * An error a request met. When it says the database is out of reach, one probe at once tells a lost
   * connection (the database answers: nothing changes) from a database that is down (it does not:
   * the process counts it down and probes until it is back).
   */
  observe(err: unknown): void {
    if (this.downSince !== null || this.checking || !isDatabaseUnavailable(err)) return;
    this.checking = true;
    this.probe().then(
      () => {
        this.checking = false;
      },
      () => {
        this.checking = false;
        if (this.downSince !== null) return;
        this.downSince = Date.now();
        logger.warn('banco de dados fora do ar: respondendo 503 até ele voltar');
        this.scheduleProbe();
      },
    );
  }

  /** Stops probing (the process is ending). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private scheduleProbe(): void {
    this.timer = setTimeout(() => {
      this.probe().then(
        () => {
          logger.info({ downMs: Date.now() - (this.downSince ?? Date.now()) }, 'banco de dados de volta');
          this.downSince = null;
          this.timer = null;
        },
        () => this.scheduleProbe(),
      );
    }, this.probeEveryMs);
    this.timer.unref();
  }
}

/** Answers 503 (through the error handler) without touching the database while it is known to be down. */
export function failFastWhileDatabaseDown(health: DatabaseHealth): RequestHandler {
  return (_req, _res, next) => {
    next(health.isDown() ? new DatabaseUnavailableError('fora do ar desde a última falha; aguardando a volta') : undefined);
  };
}
