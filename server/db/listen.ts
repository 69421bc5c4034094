import { Client } from 'pg';
import { logger } from '../logger';

export interface ListenHandlers {
  /** A notification on the channel (its payload, '' when none). */
  onNotification(payload: string): void;
  /** Listening (again): notifications sent while the connection was down were missed. */
  onListening?(): void;
  /** The connection dropped: until `onListening`, notifications are being missed. */
  onLost?(): void;
}

/**
 * LISTEN on `channel` over a connection of its own (no pooler in between), opened again when it
 * drops (a database restart), with growing waits up to `maxWaitMs`. Returns the function that stops.
 */
export async function listenWithReconnect(url: string, channel: string, what: string, handlers: ListenHandlers, opts: { maxWaitMs?: number } = {}): Promise<() => Promise<void>> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`canal inválido: ${channel}`);
  let client: Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let wait = 250;

  const connect = async (): Promise<void> => {
    const c = new Client({ connectionString: url });
    c.on('notification', (n) => handlers.onNotification(n.payload ?? ''));
    c.on('error', (err) => {
      logger.warn({ err: err.message }, `conexão de escuta (${what}) caiu; reabrindo`);
      c.end().catch(() => undefined);
    });
    c.on('end', () => {
      if (client === c) {
        client = undefined;
        handlers.onLost?.();
      }
      schedule();
    });
    await c.connect();
    await c.query(`LISTEN ${channel}`);
    client = c;
    wait = 250;
    handlers.onListening?.();
  };
  const schedule = (): void => {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      connect().then(
        () => logger.info(`escuta (${what}) restabelecida`),
        () => {
          wait = Math.min(wait * 2, opts.maxWaitMs ?? 5_000);
          schedule();
        },
      );
    }, wait);
    retry.unref();
  };

  await connect();
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    const c = client;
    client = undefined;
    handlers.onLost?.();
    await c?.end();
  };
}
