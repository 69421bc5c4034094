import { Client } from 'pg';
import { logger } from '../logger';
import { REGISTRY_CHANNEL, type TenantRegistry } from './registry';

/**
 * Drops this process's registry cache whenever any process announces a tenant change. The listening
 * connection is opened again when it drops (a database restart), with growing waits up to
 * `maxWaitMs`; the cache is dropped then too, since announcements made meanwhile were missed.
 */
export async function listenForRegistryChanges(url: string, registry: TenantRegistry, opts: { maxWaitMs?: number } = {}): Promise<() => Promise<void>> {
  let client: Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let wait = 250;

  const connect = async (): Promise<void> => {
    const c = new Client({ connectionString: url });
    c.on('notification', () => registry.invalidate());
    c.on('error', (err) => {
      logger.warn({ err: err.message }, 'conexão de escuta do registro de entes caiu; reabrindo');
      c.end().catch(() => undefined);
    });
    c.on('end', () => {
      if (client === c) client = undefined;
      schedule();
    });
    await c.connect();
    await c.query(`LISTEN ${REGISTRY_CHANNEL}`);
    client = c;
    wait = 250;
  };
  const schedule = (): void => {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      connect().then(
        () => {
          registry.invalidate();
          logger.info('escuta do registro de entes restabelecida');
        },
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
    await client?.end();
  };
}
