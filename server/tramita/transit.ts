import type { Transaction } from 'sequelize';
import { preparedSelect, select } from '../db/sql';
import { requireTenant } from '../tenancy/context';

/** The states of a transfer (the national bus's), and those in which the origin's process is in transit. */
export const TRANSFER_STATES = [
  'iniciado',
  'componentes_enviados',
  'recebido',
  'recibo_conclusao',
  'recusado',
  'ciencia_recusa',
  'cancelado',
  'cancelado_automaticamente',
] as const;
export type TransferState = (typeof TRANSFER_STATES)[number];

export const LIVE_STATES: TransferState[] = ['iniciado', 'componentes_enviados'];
export const LIVE_STATES_SQL = `('iniciado', 'componentes_enviados')`;

export const STATE_LABELS: Record<TransferState, string> = {
  iniciado: 'Iniciado: empacotando os documentos',
  componentes_enviados: 'Componentes enviados, aguardando o destinatário',
  recebido: 'Recebido pelo destinatário',
  recibo_conclusao: 'Recibo de conclusão emitido',
  recusado: 'Recusado pelo destinatário',
  ciencia_recusa: 'Recusa conhecida pela origem',
  cancelado: 'Cancelado',
  cancelado_automaticamente: 'Cancelado automaticamente (prazo esgotado)',
};

/** The national bus's refusal codes, in words a clerk understands. */
export const REFUSAL_CODES = {
  '01': 'Formato de componente não suportado',
  '02': 'Componente digital corrompido (o hash não confere)',
  '03': 'Componente digital faltando',
  '04': 'Espécie documental não mapeada',
  '99': 'Outro motivo',
} as const;
export type RefusalCode = keyof typeof REFUSAL_CODES;

/** A process of this tenant while a transfer carries it to another government: read-only here. */
export interface ExternalTransit {
  transferId: string;
  receiverName: string;
  state: TransferState;
  since: Date;
}

/** The live transfers of process `process` of tenant `tenant` (SQL expressions), with their receivers: `tr` and `te`. */
function liveTransfersSql(tenant: string, process: string): string {
  return `platform.tramita_transfers tr JOIN platform.tenants te ON te.id = tr.receiver_tenant_id
      WHERE tr.origin_tenant_id = ${tenant} AND tr.origin_process_id = ${process} AND tr.state IN ${LIVE_STATES_SQL}`;
}

/**
 * The receiver's name of the live transfer of process `process` of tenant `tenant` (SQL expressions),
 * or NULL: a scalar subquery, for a statement that already reads the process (readableProcess's),
 * so the page learns what externalTransitOf tells without a round trip of its own.
 */
export function externalTransitReceiverSql(tenant: string, process: string): string {
  return `(SELECT te.name FROM ${liveTransfersSql(tenant, process)} LIMIT 1)`;
}

/**
 * The live transfer of `processId` of the current tenant, if any. It is read from the transfer's
 * own state in `platform`, so the origin unblocks as soon as the transfer ends, whoever ends it.
 */
export async function externalTransitOf(t: Transaction, processId: string): Promise<ExternalTransit | null> {
  // On every process action: a prepared statement (planned once per connection).
  const [row] = await preparedSelect<{ id: string; receiver_name: string; state: TransferState; created_at: Date }>(
    t,
    `SELECT tr.id, te.name AS receiver_name, tr.state, tr.created_at FROM ${liveTransfersSql('$1', '$2')}`,
    [requireTenant().id, processId],
  );
  return row ? { transferId: String(row.id), receiverName: row.receiver_name, state: row.state, since: row.created_at } : null;
}

/** The national bus's default: a transfer nobody received is cancelled automatically after 7 days. */
export const DEFAULT_TIMEOUT_DAYS = 7;

/** When a transfer sent now is cancelled automatically: the operators' setting (platform.tramita_settings), or `days` when given. */
export async function expiryOf(t: Transaction, now: Date, days?: number): Promise<Date> {
  const [row] = days === undefined ? await select<{ timeout_days: number }>(t, 'SELECT timeout_days FROM platform.tramita_settings') : [];
  return new Date(now.getTime() + (days ?? row?.timeout_days ?? DEFAULT_TIMEOUT_DAYS) * 86_400_000);
}
