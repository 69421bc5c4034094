import type { Transaction } from 'sequelize';
import { execute, platformSelect, select } from '../db/sql';
import { logger } from '../logger';
import { Tenant } from '../models';
import { inTenant, runWithTenant, tenantRef } from '../tenancy/context';
import { PollingLoop } from '../worker/pollingLoop';
import { sendingHipoteses } from './hipoteses';
import { packComponents, travellingDocuments } from './package';

/** How long a packer holds a transfer between two components before another may take it over. */
const LEASE = "interval '2 minutes'";

/**
 * Packing a transfer (docs/decisions/tramita.md, "Packing in the worker"): the transfer was created
 * `iniciado` with the origin's process already read-only, so its documents cannot change while it
 * is packed. Each component is rendered or read, hashed, and written with its bytes (unless the
 * destination holds them: the return trip) in its OWN transaction, which also advances
 * `packed_count` by one under a conditional UPDATE: after a crash, packing resumes at the next
 * component, and two packers never write the same one. The last step sets `componentes_enviados`.
 * A transfer cancelled or expired meanwhile stops being packed at the next step.
 *
 * Returns 'packed' when the transfer is ready for its receiver, 'busy' when another packer holds it
 * (or it is not `iniciado` any more), 'stopped' when it ended while being packed.
 */
export async function packTransfer(transferId: string, now = new Date()): Promise<'packed' | 'busy' | 'stopped'> {
  const [tr] = await platformSelect<{ origin_tenant_id: string; slug: string; name: string; origin_process_id: string; nup: string; receiver_tenant_id: string; packed_count: number }>(
    Tenant.sequelize!,
    `UPDATE platform.tramita_transfers tr SET pack_lease_until = $2::timestamptz + ${LEASE}
       FROM platform.tenants te
      WHERE tr.id = $1 AND te.id = tr.origin_tenant_id AND tr.state = 'iniciado' AND (tr.pack_lease_until IS NULL OR tr.pack_lease_until < $2)
     RETURNING tr.origin_tenant_id, te.slug, te.name, tr.origin_process_id, tr.nup, tr.receiver_tenant_id, tr.packed_count`,
    [transferId, now],
  );
  if (!tr) return 'busy';
  const tenant = tenantRef({ id: tr.origin_tenant_id, slug: tr.slug, name: tr.name });
  return runWithTenant(tenant, async () => {
    const { docs, defaultEspecie, held, hipoteseOf } = await inTenant(async (t) => {
      const [settings] = await select<{ default_send_especie: number | null }>(t, 'SELECT default_send_especie FROM tramita_settings');
      return {
        docs: await travellingDocuments(t, String(tr.origin_process_id)),
        defaultEspecie: settings?.default_send_especie ?? null,
        held: await heldByDestination(t, tr.nup, String(tr.receiver_tenant_id)),
        hipoteseOf: await sendingHipoteses(t),
      };
    });
    for (let done = tr.packed_count; done < docs.length; done += 1) {
      const written = await inTenant(async (t) => {
        const [packed] = await packComponents(t, [docs[done]], defaultEspecie, hipoteseOf, tenant.name, tr.nup);
        const position = done + 1;
        // First the step's claim: the row lock makes a cancel, an expiry or another packer wait or win.
        const claimed = await select<{ id: string }>(
          t,
          `UPDATE platform.tramita_transfers SET packed_count = $2, pack_lease_until = now() + ${LEASE}, updated_at = now()
            WHERE id = $1 AND state = 'iniciado' AND packed_count = $3 RETURNING id`,
          [transferId, position, done],
        );
        if (!claimed.length) return false;
        const referenced = held.has(packed.sha256);
        // DO UPDATE (not NOTHING) takes the row lock, so a purge running now cannot delete bytes this transfer refers to.
        if (!referenced) {
          await execute(t, 'INSERT INTO platform.tramita_blobs (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO UPDATE SET last_used_at = now()', [
            packed.sha256, packed.size, packed.bytes,
          ]);
        }
        await execute(
          t,
          'INSERT INTO platform.tramita_components (transfer_id, position, sha256, size, mime, file_name, document, referenced) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          [transferId, position, packed.sha256, packed.size, packed.mime, packed.fileName, JSON.stringify(packed.document), referenced],
        );
        return true;
      });
      if (!written) return 'stopped';
    }
    return inTenant(async (t) => {
      const [ready] = await select<{ referenced: string }>(
        t,
        `UPDATE platform.tramita_transfers tr SET state = 'componentes_enviados', pack_lease_until = NULL, updated_at = now(),
                total_bytes = (SELECT coalesce(sum(size), 0) FROM platform.tramita_components c WHERE c.transfer_id = tr.id)
          WHERE tr.id = $1 AND tr.state = 'iniciado' AND tr.packed_count = $2
         RETURNING (SELECT count(*) FROM platform.tramita_components c WHERE c.transfer_id = tr.id AND c.referenced) AS referenced`,
        [transferId, docs.length],
      );
      if (!ready) return 'stopped';
      const referenced = Number(ready.referenced);
      await execute(t, `INSERT INTO platform.tramita_events (transfer_id, state, note) VALUES ($1, 'componentes_enviados', $2)`, [
        transferId,
        referenced ? `${docs.length} componente(s), ${referenced} já no destinatário (referência)` : `${docs.length} componente(s)`,
      ]);
      return 'packed';
    });
  });
}

/**
 * The hashes the destination already holds of the process numbered `nup`: the components of every
 * accepted transfer of that NUP it sent or received (platform metadata; the sender never reads the
 * destination's schema). The receiver checks each reference against its own copy.
 */
async function heldByDestination(t: Transaction, nup: string, destinationTenantId: string): Promise<Set<string>> {
  const rows = await select<{ sha256: string }>(
    t,
    `SELECT DISTINCT c.sha256 FROM platform.tramita_transfers tr JOIN platform.tramita_components c ON c.transfer_id = tr.id
      WHERE tr.nup = $1 AND tr.state IN ('recebido', 'recibo_conclusao') AND (tr.origin_tenant_id = $2 OR tr.receiver_tenant_id = $2)`,
    [nup, destinationTenantId],
  );
  return new Set(rows.map((r) => r.sha256));
}

/** The worker's packing step: every transfer still `iniciado` whose packer is gone (or never came), oldest first. */
export async function runPacking(now = new Date(), limit = 20): Promise<number> {
  const due = await platformSelect<{ id: string }>(
    Tenant.sequelize!,
    `SELECT id FROM platform.tramita_transfers WHERE state = 'iniciado' AND origin_tenant_id IS NOT NULL AND (pack_lease_until IS NULL OR pack_lease_until < $1)
      ORDER BY id LIMIT $2`,
    [now, limit],
  );
  let packed = 0;
  for (const d of due) {
    try {
      if ((await packTransfer(String(d.id), now)) === 'packed') packed += 1;
    } catch (err) {
      logger.error({ err, transferId: String(d.id) }, 'falha ao empacotar o trâmite');
    }
  }
  return packed;
}

/** The worker loop that packs large transfers (a few seconds after they are sent). */
export function packingWorker(): PollingLoop {
  return new PollingLoop(() => runPacking(), 'falha ao empacotar trâmites');
}
