import type { Sequelize } from 'sequelize';
import { recordOperatorAction, type OperatorContext } from '../audit/operator';
import { platformExecute, platformSelect } from '../db/sql';
import { originNameSql } from './receive';
import { DEFAULT_TIMEOUT_DAYS, STATE_LABELS, type TransferState } from './transit';

/** The console's list of transfers (issue 14, "platform figures"): metadata only, never a component nor the package. */
export interface ConsoleTransfer {
  id: string;
  nup: string;
  originName: string;
  originUnitName: string;
  receiverName: string;
  receiverUnitName: string;
  state: TransferState;
  stateLabel: string;
  sentAt: Date;
  endedAt: Date | null;
}

export interface ConsoleTransferFilter {
  state?: TransferState;
  /** A tenant id: transfers it sent or received. */
  tenantId?: string;
  /** Keyset cursor: only transfers with a smaller id (older). */
  before?: string;
}

export const CONSOLE_TRANSFERS_PAGE = 100;

/**
 * Transfers newest first, filtered by state and ente, a page at a time (`next` is the cursor of the
 * following page), with the entes the filter offers.
 */
export async function consoleTransfers(
  sequelize: Sequelize,
  f: ConsoleTransferFilter,
): Promise<{ rows: ConsoleTransfer[]; next: string | null; entes: { id: string; name: string }[] }> {
  const rows = await platformSelect<Omit<ConsoleTransfer, 'stateLabel'>>(
    sequelize,
    `SELECT tr.id, tr.nup, ${originNameSql('o')} AS "originName", tr.origin_unit_name AS "originUnitName",
            r.name AS "receiverName", tr.receiver_unit_name AS "receiverUnitName", tr.state,
            tr.created_at AS "sentAt", tr.ended_at AS "endedAt"
       FROM platform.tramita_transfers tr
       LEFT JOIN platform.tenants o ON o.id = tr.origin_tenant_id
       JOIN platform.tenants r ON r.id = tr.receiver_tenant_id
      WHERE ($1::text IS NULL OR tr.state = $1)
        AND ($2::bigint IS NULL OR tr.origin_tenant_id = $2 OR tr.receiver_tenant_id = $2)
        AND ($3::bigint IS NULL OR tr.id < $3)
      ORDER BY tr.id DESC
      LIMIT ${CONSOLE_TRANSFERS_PAGE + 1}`,
    [f.state ?? null, f.tenantId ?? null, f.before ?? null],
  );
  const page = rows.slice(0, CONSOLE_TRANSFERS_PAGE).map((r) => ({ ...r, id: String(r.id), stateLabel: STATE_LABELS[r.state] }));
  return { rows: page, next: rows.length > CONSOLE_TRANSFERS_PAGE ? page[page.length - 1].id : null, entes: await transferEntes(sequelize) };
}

/** The entes the filter offers (every tenant in service, by name). */
async function transferEntes(sequelize: Sequelize): Promise<{ id: string; name: string }[]> {
  const rows = await platformSelect<{ id: string; name: string }>(sequelize, `SELECT id, name FROM platform.tenants WHERE status <> 'spare' ORDER BY name, id`);
  return rows.map((r) => ({ id: String(r.id), name: r.name }));
}

/** The days a transfer nobody received waits before it is cancelled automatically (the operators' setting). */
export async function tramitaTimeoutDays(sequelize: Sequelize): Promise<number> {
  const [row] = await platformSelect<{ timeout_days: number }>(sequelize, 'SELECT timeout_days FROM platform.tramita_settings');
  return row?.timeout_days ?? DEFAULT_TIMEOUT_DAYS;
}

/** Sets that deadline for transfers sent from now on (those in transit keep theirs), audited. */
export async function setTramitaTimeoutDays(sequelize: Sequelize, days: number, ctx: OperatorContext): Promise<void> {
  await sequelize.transaction(async (t) => {
    const [before] = await platformSelect<{ timeout_days: number }>(sequelize, 'SELECT timeout_days FROM platform.tramita_settings FOR UPDATE', [], t);
    await platformExecute(sequelize, 'UPDATE platform.tramita_settings SET timeout_days = $1, updated_at = now()', [days], t);
    await recordOperatorAction(ctx, 'tramita.timeout_set', null, { before: before?.timeout_days ?? null, after: days });
  });
}
