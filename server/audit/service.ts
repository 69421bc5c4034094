import { select, sqlFilter, whereClause } from '../db/sql';
import { inTenant } from '../tenancy/context';

export interface AuditFilters {
  entity?: string;
  action?: string;
  userId?: string;
  from?: string;
  to?: string;
  page?: number;
}

export interface AuditRow {
  id: string;
  createdAt: Date;
  userName: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
}

export const AUDIT_PAGE_SIZE = 50;

/** Entries of the tenant's audit log, newest first, with the author's name. Dates are São Paulo days. */
export async function searchAudit(f: AuditFilters): Promise<{ rows: AuditRow[]; total: number }> {
  const { where, bind, arg } = sqlFilter();
  if (f.entity) where.push(`a.entity = ${arg(f.entity)}`);
  if (f.action) where.push(`a.action = ${arg(f.action)}`);
  if (f.userId) where.push(`a.user_id = ${arg(f.userId)}`);
  if (f.from) where.push(`a.created_at >= (${arg(f.from)}::date)::timestamp AT TIME ZONE 'America/Sao_Paulo'`);
  if (f.to) where.push(`a.created_at < (${arg(f.to)}::date + 1)::timestamp AT TIME ZONE 'America/Sao_Paulo'`);
  const filter = whereClause(where);
  const page = Math.max(1, f.page ?? 1);
  return inTenant(async (t) => {
    const [{ total }] = await select<{ total: number }>(t, `SELECT count(*)::int AS total FROM audit_log a ${filter}`, bind);
    const rows = await select<AuditRow>(
      t,
      `SELECT a.id::text AS id, a.created_at AS "createdAt", u.name AS "userName", a.action, a.entity, a.entity_id AS "entityId", a.before, a.after, a.ip
         FROM audit_log a LEFT JOIN users u ON u.id = a.user_id ${filter}
        ORDER BY a.created_at DESC, a.id DESC LIMIT ${AUDIT_PAGE_SIZE} OFFSET ${(page - 1) * AUDIT_PAGE_SIZE}`,
      bind,
    );
    return { rows, total };
  });
}

/** The choices of the filters: actions and entities present, and the people who acted. */
export async function auditFacets(): Promise<{ actions: string[]; entities: string[]; users: { id: string; name: string }[] }> {
  return inTenant(async (t) => {
    const q = <T extends object>(sql: string): Promise<T[]> => select<T>(t, sql);
    // One after the other: one connection, one transaction.
    const actions = await q<{ action: string }>('SELECT DISTINCT action FROM audit_log ORDER BY action');
    const entities = await q<{ entity: string }>('SELECT DISTINCT entity FROM audit_log ORDER BY entity');
    const users = await q<{ id: string; name: string }>('SELECT u.id::text AS id, u.name FROM users u WHERE EXISTS (SELECT 1 FROM audit_log a WHERE a.user_id = u.id) ORDER BY u.name');
    return { actions: actions.map((a) => a.action), entities: entities.map((e) => e.entity), users };
  });
}
