import type { Sequelize } from 'sequelize';
import { platformExecute, platformSelect } from '../db/sql';
import { logger } from '../logger';
import { PollingLoop } from '../worker/pollingLoop';
import type { MailTransport } from './transport';

interface ClaimedRow {
  id: string;
  to_address: string;
  subject: string;
  html: string;
  text: string;
  attempts: number;
}

export interface OutboxWorkerOptions {
  from: string;
  batchSize?: number;
  maxAttempts?: number;
  /** Seconds to wait before retry n (1-based). */
  backoff?: (attempt: number) => number;
  leaseSeconds?: number;
}

export const defaultBackoff = (attempt: number): number => Math.min(5 * 2 ** (attempt - 1), 3600);

/**
 * The Message-ID of an outbox row: the same on every attempt. Delivery is at-least-once (a worker
 * that dies after the peer accepted a message but before marking it sent delivers it again once the
 * lease expires); the repeated copy carries the same Message-ID, so mail systems and readers that
 * deduplicate by it show one message.
 */
export function messageIdFor(outboxId: string, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'pen.gov.br';
  return `<outbox.${outboxId}@${domain}>`;
}

/**
 * Delivers the outbox. Rows are claimed with a lease (`FOR UPDATE SKIP LOCKED`, so any number of
 * workers can run), sent outside any transaction, then marked sent — or rescheduled with backoff.
 * A worker that dies mid-send leaves the lease to expire and the message is tried again: delivery is
 * at-least-once, each copy with the row's own Message-ID (`messageIdFor`).
 */
export class OutboxWorker {
  private readonly loop = new PollingLoop(() => this.deliverDue(), 'erro no entregador de e-mails');

  constructor(
    private readonly sequelize: Sequelize,
    private readonly transport: MailTransport,
    private readonly opts: OutboxWorkerOptions,
  ) {}

  async deliverDue(): Promise<number> {
    const rows = await platformSelect<ClaimedRow>(
      this.sequelize,
      `UPDATE platform.outbox SET locked_until = now() + make_interval(secs => $2), updated_at = now()
        WHERE id IN (
          SELECT id FROM platform.outbox
           WHERE status = 'pending' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
           ORDER BY next_attempt_at, id
           LIMIT $1
           FOR UPDATE SKIP LOCKED)
        RETURNING id, to_address, subject, html, text, attempts`,
      [this.opts.batchSize ?? 20, this.opts.leaseSeconds ?? 120],
    );
    let sent = 0;
    for (const row of rows) {
      try {
        await this.transport.send({ from: this.opts.from, to: row.to_address, subject: row.subject, html: row.html, text: row.text, messageId: messageIdFor(row.id, this.opts.from) });
        await platformExecute(
          this.sequelize,
          `UPDATE platform.outbox SET status = 'sent', sent_at = now(), attempts = attempts + 1, locked_until = NULL, last_error = NULL, updated_at = now() WHERE id = $1`,
          [row.id],
        );
        sent++;
      } catch (err) {
        const attempt = row.attempts + 1;
        const giveUp = attempt >= (this.opts.maxAttempts ?? 10);
        const wait = (this.opts.backoff ?? defaultBackoff)(attempt);
        logger.warn({ outboxId: row.id, attempt, err: (err as Error).message }, 'falha ao entregar e-mail');
        await platformExecute(
          this.sequelize,
          `UPDATE platform.outbox SET attempts = $2, last_error = $3, locked_until = NULL, status = $4,
                  next_attempt_at = now() + make_interval(secs => $5), updated_at = now() WHERE id = $1`,
          [row.id, attempt, (err as Error).message, giveUp ? 'failed' : 'pending', wait],
        );
      }
    }
    return sent;
  }

  start(intervalMs = 1000): void {
    this.loop.start(intervalMs);
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    this.transport.close();
  }
}
