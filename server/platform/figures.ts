import type { Sequelize } from 'sequelize';
import { platformSelect } from '../db/sql';

export interface PlatformFigures {
  tenantsInProduction: number;
  municipalities: number;
  states: number;
  processes: number;
  /** Transfers that reached the receiver (recebido / recibo de conclusão), all time and in the last 30 days. */
  transfers: number;
  transfersLast30Days: number;
  /** Active tenants per UF (only UFs with at least one), by UF. */
  byUf: { uf: string; municipalities: number; states: number; others: number; total: number }[];
}

/** The landing page's live figures: only active tenants count. */
export async function platformFigures(sequelize: Sequelize): Promise<PlatformFigures> {
  const [row] = await platformSelect<Record<keyof PlatformFigures, string>>(
    sequelize,
    `SELECT count(*) AS "tenantsInProduction",
            count(*) FILTER (WHERE t.kind = 'municipio') AS municipalities,
            count(*) FILTER (WHERE t.kind = 'estado') AS states,
            coalesce(sum(f.processes), 0) AS processes,
            (SELECT count(*) FROM platform.tramita_transfers WHERE state IN ('recebido', 'recibo_conclusao')) AS transfers,
            (SELECT count(*) FROM platform.tramita_transfers
              WHERE state IN ('recebido', 'recibo_conclusao') AND ended_at > now() - interval '30 days') AS "transfersLast30Days"
       FROM platform.tenants t LEFT JOIN platform.tenant_figures f ON f.tenant_id = t.id
      WHERE t.status = 'active'`,
  );
  const byUf = await platformSelect<{ uf: string; municipalities: string; states: string; others: string; total: string }>(
    sequelize,
    `SELECT uf,
            count(*) FILTER (WHERE kind = 'municipio') AS municipalities,
            count(*) FILTER (WHERE kind = 'estado') AS states,
            count(*) FILTER (WHERE kind = 'orgao') AS others,
            count(*) AS total
       FROM platform.tenants WHERE status = 'active' GROUP BY uf ORDER BY uf`,
  );
  return {
    byUf: byUf.map((r) => ({
      uf: r.uf,
      municipalities: Number(r.municipalities),
      states: Number(r.states),
      others: Number(r.others),
      total: Number(r.total),
    })),
    tenantsInProduction: Number(row.tenantsInProduction),
    municipalities: Number(row.municipalities),
    states: Number(row.states),
    processes: Number(row.processes),
    transfers: Number(row.transfers),
    transfersLast30Days: Number(row.transfersLast30Days),
  };
}
