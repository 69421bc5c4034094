
import { execute, platformExecute, platformSelect, select } from '../db/sql';
import { logger } from '../logger';
import { ProcessUnit, Tenant } from '../models';
import { recordEvent } from '../processes/events';
import { inTenant, runWithTenant, tenantRef } from '../tenancy/context';
import { buildReceipt, type Receipt } from './package';
import { LIVE_STATES_SQL, REFUSAL_CODES, type RefusalCode, type TransferState } from './transit';

/**
 * The origin's side of an ended transfer, written in the origin's own transaction (the receiver
 * never touches the origin's schema): the andamento, and on receipt the receipt's copy here, the
 * state `recibo_conclusao` and the conclusion at the origin unit unless "manter aberto". One
 * conditional UPDATE on `origin_synced_at` makes it happen once, whoever runs it (the request that
 * ended the transfer, or the worker's sweep after a crash).
 */
export async function syncOrigin(transferId: string): Promise<boolean> {
  const sequelize = Tenant.sequelize!;
  const [tr] = await platformSelect<{ origin_tenant_id: string; slug: string; name: string; ended_at: Date | null; origin_synced_at: Date | null }>(
    sequelize,
    `SELECT tr.origin_tenant_id, te.slug, te.name, tr.ended_at, tr.origin_synced_at
       FROM platform.tramita_transfers tr JOIN platform.tenants te ON te.id = tr.origin_tenant_id WHERE tr.id = $1`,
    [transferId],
  );
  if (!tr || !tr.ended_at || tr.origin_synced_at) return false;
  return runWithTenant(tenantRef({ id: tr.origin_tenant_id, slug: tr.slug, name: tr.name }), () =>
    inTenant(async (t) => {
      const [row] = await select<{
        id: string; state: TransferState; origin_process_id: string; origin_unit_id: string; origin_user_id: string; keep_open: boolean;
        receiver_name: string; receiver_unit_name: string; refusal_code: RefusalCode | null; refusal_reason: string | null;
        receipt: Receipt | null; receipt_sha256: string | null; created_at: Date; expires_at: Date;
      }>(
        t,
        `UPDATE platform.tramita_transfers tr SET origin_synced_at = now(), updated_at = now(),
                state = CASE WHEN tr.state = 'recebido' THEN 'recibo_conclusao' ELSE tr.state END
           FROM platform.tenants te
          WHERE tr.id = $1 AND te.id = tr.receiver_tenant_id AND tr.origin_synced_at IS NULL AND tr.ended_at IS NOT NULL
         RETURNING tr.id, tr.state, tr.origin_process_id, tr.origin_unit_id, tr.origin_user_id, tr.keep_open, te.name AS receiver_name,
                   tr.receiver_unit_name, tr.refusal_code, tr.refusal_reason, tr.created_at, tr.expires_at,
                   (SELECT r.receipt FROM platform.tramita_receipts r WHERE r.transfer_id = tr.id) AS receipt,
                   (SELECT r.receipt_sha256 FROM platform.tramita_receipts r WHERE r.transfer_id = tr.id) AS receipt_sha256`,
        [transferId],
      );
      if (!row) return false;
      const processId = String(row.origin_process_id);
      const who = { userId: String(row.origin_user_id), unitId: String(row.origin_unit_id) };
      const to = `${row.receiver_name} / ${row.receiver_unit_name}`;
      if (row.state === 'recibo_conclusao' && row.receipt && row.receipt_sha256) {
        // The receipt exactly as the receiver stored it: same body, same hash at both ends.
        const check = buildReceipt(row.receipt);
        if (check.sha256 !== row.receipt_sha256) throw new Error(`Recibo do trâmite ${transferId} não confere`);
        await execute(t, `INSERT INTO tramita_receipts (transfer_id, role, process_id, receipt, receipt_sha256) VALUES ($1, 'sent', $2, $3, $4) ON CONFLICT DO NOTHING`, [
          transferId, processId, JSON.stringify(row.receipt), row.receipt_sha256,
        ]);
        await execute(t, `INSERT INTO platform.tramita_events (transfer_id, state) VALUES ($1, 'recibo_conclusao')`, [transferId]);
        await recordEvent(t, processId, who, {
          kind: 'tramita.receipt',
          description: `Enviado para ${to}: recibo de conclusão de trâmite nº ${transferId}`,
          details: { transferId, receiptSha256: row.receipt_sha256 },
        });
        if (!row.keep_open) {
          await ProcessUnit.update({ open: false, concludedAt: new Date(), concludedById: who.userId, assignedUserId: null }, { where: { processId, unitId: who.unitId, open: true }, transaction: t });
          await recordEvent(t, processId, who, { kind: 'concluded', description: 'Processo concluído na unidade (enviado a outro órgão sem manter aberto)', summary: false });
        }
      } else if (row.state === 'recusado' && row.refusal_code) {
        await recordEvent(t, processId, who, {
          kind: 'tramita.refused',
          description: `Trâmite externo nº ${transferId} recusado por ${to} — ${row.refusal_code}: ${REFUSAL_CODES[row.refusal_code]}${row.refusal_reason ? ` (${row.refusal_reason.slice(0, 300)})` : ''}. O processo voltou a ficar disponível nesta unidade.`,
          details: { transferId, code: row.refusal_code },
        });
      } else if (row.state === 'cancelado_automaticamente') {
        await recordEvent(t, processId, who, {
          kind: 'tramita.expired',
          description: `Trâmite externo nº ${transferId} para ${to} cancelado automaticamente: o destinatário não o recebeu no prazo. O processo voltou a ficar disponível nesta unidade.`,
          details: { transferId },
        });
      }
      return true;
    }),
  );
}

/** Runs `syncOrigin` and logs instead of failing: the worker's sweep retries what did not happen. */
export async function syncOriginQuietly(transferId: string): Promise<void> {
  await syncOrigin(transferId).catch((err: unknown) => logger.error({ err, transferId }, 'falha ao registrar o fim do trâmite na origem'));
}

/**
 * The worker's Tramita step: transfers past their deadline become `cancelado_automaticamente` (one
 * conditional UPDATE: an acceptance holding the row lock wins or loses whole), every ended transfer
 * not yet written at its origin is, and bytes no live transfer refers to are dropped.
 */
export async function runTramitaJobs(now = new Date()): Promise<{ expired: number; synced: number; purged: number }> {
  const sequelize = Tenant.sequelize!;
  const expired = await platformSelect<{ id: string }>(
    sequelize,
    `UPDATE platform.tramita_transfers SET state = 'cancelado_automaticamente', ended_at = now(), updated_at = now()
      WHERE state IN ${LIVE_STATES_SQL} AND expires_at <= $1 RETURNING id`,
    [now],
  );
  for (const e of expired) await platformExecute(sequelize, `INSERT INTO platform.tramita_events (transfer_id, state) VALUES ($1, 'cancelado_automaticamente')`, [e.id]);
  const pending = await platformSelect<{ id: string }>(
    sequelize,
    // An imported package has no origin here to write to.
    'SELECT id FROM platform.tramita_transfers WHERE origin_synced_at IS NULL AND ended_at IS NOT NULL AND origin_tenant_id IS NOT NULL ORDER BY id LIMIT 500',
  );
  let synced = 0;
  for (const p of pending) {
    try {
      if (await syncOrigin(String(p.id))) synced += 1;
    } catch (err) {
      logger.error({ err, transferId: String(p.id) }, 'falha ao registrar o fim do trâmite na origem');
    }
  }
  const purged = await platformSelect<{ sha256: string }>(
    sequelize,
    `DELETE FROM platform.tramita_blobs b
      WHERE b.last_used_at < $1::timestamptz - interval '1 hour'
        AND NOT EXISTS (SELECT 1 FROM platform.tramita_components c JOIN platform.tramita_transfers tr ON tr.id = c.transfer_id
                         WHERE c.sha256 = b.sha256 AND tr.state IN ${LIVE_STATES_SQL})
      RETURNING b.sha256`,
    [now],
  );
  return { expired: expired.length, synced, purged: purged.length };
}

