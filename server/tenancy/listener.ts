import { listenWithReconnect } from '../db/listen';
import { REGISTRY_CHANNEL, type TenantRegistry } from './registry';

/**
 * Drops this process's registry cache whenever any process announces a tenant change. The listening
 * connection is opened again when it drops (a database restart), with growing waits up to
 * `maxWaitMs`; the cache is dropped then too, since announcements made meanwhile were missed.
 */
export async function listenForRegistryChanges(url: string, registry: TenantRegistry, opts: { maxWaitMs?: number } = {}): Promise<() => Promise<void>> {
  let first = true;
  return listenWithReconnect(
    url,
    REGISTRY_CHANNEL,
    'registro de entes',
    {
      onNotification: () => registry.invalidate(),
      onListening: () => {
        if (!first) registry.invalidate();
        first = false;
      },
    },
    opts,
  );
}
