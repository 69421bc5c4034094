import { Client } from 'pg';
import { logger } from '../logger';
import { REGISTRY_CHANNEL, type TenantRegistry } from './registry';

/** Drops this process's registry cache whenever any process announces a tenant change. */
export async function listenForRegistryChanges(url: string, registry: TenantRegistry): Promise<() => Promise<void>> {
  const client = new Client({ connectionString: url });
  client.on('error', (err) => logger.error({ err }, 'conexão de escuta do registro de entes caiu'));
  await client.connect();
  client.on('notification', () => registry.invalidate());
  await client.query(`LISTEN ${REGISTRY_CHANNEL}`);
  return () => client.end();
}
