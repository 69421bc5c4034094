import { execute, platformExecute, platformSelect } from '../db/sql';
import { DomainError } from '../errors';
import { logger } from '../logger';
import { Tenant } from '../models';
import { inTenant, runWithTenant, tenantRef } from '../tenancy/context';
import { PollingLoop } from '../worker/pollingLoop';
import type { Actor } from '../web/actor';
import { acceptTransfer, notAwaiting, receivedTransfer, type AcceptOutcome } from './receive';
import { INLINE_PACKING } from './send';

/** How long the worker holds an acceptance it runs before another may take it over (a crash). */
const LEASE = "interval '10 minutes'";

export type AcceptRequest = AcceptOutcome | { outcome: 'queued' };

/**
 * "Aceitar" (docs/decisions/tramita.md, "Unpacking in the worker"): a package within
 * INLINE_PACKING is accepted in this request; a larger one is recorded as accepted by this user
 * (once: a second click finds it recorded) and the worker runs the same one acceptance transaction
 * for them, so a request never spends minutes writing hundreds of megabytes.
 */
export async function acceptOrQueue(actor: Actor, transferId: string, limit = INLINE_PACKING): Promise<AcceptRequest> {
  const queued = await inTenant(async (t) => {
    const row = await receivedTransfer(t, actor, transferId, true);
    if (row.state !== 'componentes_enviados') throw notAwaiting(row.state);
    if (row.accept_requested_at) return true;
    if (row.component_count <= limit.documents && Number(row.total_bytes) <= limit.bytes) return false;
    await execute(t, 'UPDATE platform.tramita_transfers SET accept_requested_at = now(), accept_requested_by_user_id = $2, accept_error = NULL, updated_at = now() WHERE id = $1', [
      transferId, actor.userId,
    ]);
    await execute(t, `INSERT INTO platform.tramita_events (transfer_id, state, note) VALUES ($1, 'componentes_enviados', 'aceite solicitado: em processamento')`, [transferId]);
    return true;
  });
  return queued ? { outcome: 'queued' } : acceptTransfer(actor, transferId);
}

/**
 * The worker's acceptance step: every large package whose acceptance was asked for (and is not
 * held by a live run), accepted as the user who asked, in the receiving unit. An acceptance that
 * meets a refusal of its own (the process in transit elsewhere…) keeps the reason for the page and
 * waits for the user to ask again; a crash leaves the request, and the next run does it.
 */
export async function runUnpacking(now = new Date(), limit = 5): Promise<number> {
  const due = await platformSelect<{ id: string; receiver_tenant_id: string; slug: string; name: string; receiver_unit_id: string; user_id: string }>(
    Tenant.sequelize!,
    `UPDATE platform.tramita_transfers tr SET accept_lease_until = $1::timestamptz + ${LEASE}
       FROM platform.tenants te
      WHERE tr.id IN (SELECT id FROM platform.tramita_transfers WHERE state = 'componentes_enviados' AND accept_requested_at IS NOT NULL
                        AND (accept_lease_until IS NULL OR accept_lease_until < $1) ORDER BY accept_requested_at LIMIT $2 FOR UPDATE SKIP LOCKED)
        AND te.id = tr.receiver_tenant_id
     RETURNING tr.id, tr.receiver_tenant_id, te.slug, te.name, tr.receiver_unit_id, tr.accept_requested_by_user_id AS user_id`,
    [now, limit],
  );
  let accepted = 0;
  for (const d of due) {
    const tenant = tenantRef({ id: d.receiver_tenant_id, slug: d.slug, name: d.name });
    const actor: Actor = { userId: String(d.user_id), name: '', unitId: String(d.receiver_unit_id), unitAcronym: '' };
    try {
      const out = await runWithTenant(tenant, () => acceptTransfer(actor, String(d.id)));
      if (out.outcome === 'accepted') accepted += 1;
    } catch (err) {
      if (!(err instanceof DomainError)) {
        logger.error({ err, transferId: String(d.id) }, 'falha ao aceitar o trâmite');
        continue;
      }
      await platformExecute(
        Tenant.sequelize!,
        `UPDATE platform.tramita_transfers SET accept_error = $2, accept_requested_at = NULL, accept_requested_by_user_id = NULL, accept_lease_until = NULL, updated_at = now()
          WHERE id = $1`,
        [d.id, err.message],
      );
    }
  }
  return accepted;
}

/** The worker loop that accepts large packages (a few seconds after "Aceitar"). */
export function unpackingWorker(): PollingLoop {
  return new PollingLoop(() => runUnpacking(), 'falha ao aceitar trâmites');
}
