import type { InboxList } from '../models';
import { readInTenant } from '../tenancy/context';
import { findableSql } from './access';

/**
 * Controle de processos of one unit: the Recebidos and Gerados lists, each keyset-paginated over
 * the partial index (unit_id, list, arrived_at DESC, process_id DESC) WHERE open, with exact counts
 * from the per-unit counters (filtered lists: counted, bounded at COUNT_LIMIT). Both lists and both
 * counts come back in one prepared statement (one round trip, planned once per connection).
 */

export const PAGE_SIZE = 25;
export const COUNT_LIMIT = 1000;

export interface InboxFilters {
  mine: boolean;
  processTypeId: string | null;
  overdue: boolean;
}

export interface InboxQuery {
  unitId: string;
  userId: string;
  /** Today in America/Sao_Paulo (YYYY-MM-DD): a retorno programado before it is overdue. */
  today: string;
  filters: InboxFilters;
  cursors: Partial<Record<InboxList, string>>;
  pageSize?: number;
}

export interface InboxRow {
  processId: string;
  number: string;
  typeName: string;
  specification: string;
  accessLevel: string;
  unread: boolean;
  assignedUserId: string | null;
  assignedName: string | null;
  expectedReturn: string | null;
  overdue: boolean;
  suspended: boolean;
  arrivedAt: Date;
  sentFrom: string | null;
}

export interface InboxPage {
  rows: InboxRow[];
  /** Exact when unfiltered; filtered lists are counted up to COUNT_LIMIT + 1 ("more than COUNT_LIMIT"). */
  total: number;
  /** The total is a lower bound (a filtered count that reached COUNT_LIMIT + 1). */
  totalIsBound: boolean;
  nextCursor: string | null;
}

interface Raw {
  list: InboxList | 'count';
  process_id: string | null;
  number: string | null;
  type_name: string | null;
  specification: string | null;
  access_level: string | null;
  unread: boolean | null;
  assigned_user_id: string | null;
  assigned_name: string | null;
  expected_return: string | null;
  suspended: boolean | null;
  arrived_at: Date | null;
  arrived_key: string | null;
  sent_from: string | null;
  received_total: string | null;
  created_total: string | null;
}

/** Cursor = "<arrived_at as PostgreSQL text>|<process id>", exact to the microsecond. */
export function parseCursor(cursor: string | undefined): [string, string] | null {
  if (!cursor) return null;
  const m = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?[+-]\d{2}(?::?\d{2})?)\|([1-9][0-9]{0,17})$/.exec(cursor);
  return m ? [m[1], m[2]] : null;
}

export async function inboxPages(q: InboxQuery): Promise<Record<InboxList, InboxPage>> {
  const size = q.pageSize ?? PAGE_SIZE;
  const bind: unknown[] = [q.unitId, q.userId, size + 1];
  const param = (v: unknown): string => {
    bind.push(v);
    return `$${bind.length}`;
  };
  const filters: string[] = [];
  if (q.filters.mine) filters.push('pu.assigned_user_id = $2');
  if (q.filters.processTypeId) filters.push(`p.process_type_id = ${param(q.filters.processTypeId)}`);
  if (q.filters.overdue) filters.push(`pu.expected_return < ${param(q.today)}::date`);
  filters.push(findableSql('$2'));
  const filterSql = filters.map((f) => ` AND ${f}`).join('');
  const listSql = (list: InboxList): string => {
    const cursor = parseCursor(q.cursors[list]);
    const cursorSql = cursor ? ` AND (pu.arrived_at, pu.process_id) < (${param(cursor[0])}::timestamptz, ${param(cursor[1])}::bigint)` : '';
    return `(SELECT '${list}' AS list, p.id AS process_id, p.number, pt.name AS type_name, p.specification, p.access_level,
               pu.unread, pu.assigned_user_id, au.name AS assigned_name, pu.expected_return::text AS expected_return,
               p.suspended_at IS NOT NULL AS suspended, pu.arrived_at, pu.arrived_at::text AS arrived_key, su.acronym AS sent_from,
               NULL::bigint AS received_total, NULL::bigint AS created_total
          FROM process_units pu
          JOIN processes p ON p.id = pu.process_id
          JOIN process_types pt ON pt.id = p.process_type_id
          LEFT JOIN users au ON au.id = pu.assigned_user_id
          LEFT JOIN units su ON su.id = pu.sent_from_unit_id
         WHERE pu.unit_id = $1 AND pu.open AND pu.list = '${list}'${filterSql}${cursorSql}
         ORDER BY pu.arrived_at DESC, pu.process_id DESC
         LIMIT $3)`;
  };
  const filtered = q.filters.mine || q.filters.overdue || Boolean(q.filters.processTypeId);
  // Sigilosos (effective level: the process or one of its documents) the viewer holds no credential
  // for are neither listed nor counted: a small set, from a partial index.
  // (An array computed once: the unit's index is probed for these ids only, whatever the statistics say.)
  const hiddenSecret = `pu.process_id = ANY (ARRAY (SELECT p.id FROM processes p WHERE p.effective_level = 'secret'))
      AND NOT EXISTS (SELECT 1 FROM access_credentials c WHERE c.process_id = pu.process_id AND c.user_id = $2 AND c.revoked_at IS NULL)`;
  // Unfiltered: exact, from the per-unit counter (unit_inbox_counts, kept by a trigger) minus the
  // hidden sigilosos. Filtered: counted on the fly, bounded at COUNT_LIMIT.
  const countLimit = filtered ? param(COUNT_LIMIT + 1) : '';
  const countFilters: string[] = [`NOT (${hiddenSecret})`];
  if (q.filters.mine) countFilters.push('pu.assigned_user_id = $2');
  if (q.filters.overdue) countFilters.push(`pu.expected_return < ${param(q.today)}::date`);
  if (q.filters.processTypeId) countFilters.push(`EXISTS (SELECT 1 FROM processes p WHERE p.id = pu.process_id AND p.process_type_id = ${param(q.filters.processTypeId)})`);
  const countSql = (list: InboxList): string =>
    filtered
      ? `(SELECT count(*) FROM (SELECT 1 FROM process_units pu
        WHERE pu.unit_id = $1 AND pu.open AND pu.list = '${list}'${countFilters.map((f) => ` AND ${f}`).join('')} LIMIT ${countLimit}) c)`
      : `(SELECT coalesce((SELECT open_count FROM unit_inbox_counts WHERE unit_id = $1 AND list = '${list}'), 0)
          - (SELECT count(*) FROM process_units pu WHERE pu.unit_id = $1 AND pu.open AND pu.list = '${list}' AND ${hiddenSecret}))`;
  const sql = `${listSql('received')} UNION ALL ${listSql('created')} UNION ALL
    (SELECT 'count', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, ${countSql('received')}, ${countSql('created')})`;
  const raw = await readInTenant((read) => read<Raw>(sql, bind));
  const counts = raw.find((r) => r.list === 'count');
  const page = (list: InboxList): InboxPage => {
    const rows = raw.filter((r) => r.list === list);
    const more = rows.length > size;
    const shown = rows.slice(0, size);
    const last = shown[shown.length - 1];
    const total = Number((list === 'received' ? counts?.received_total : counts?.created_total) ?? 0);
    return {
      rows: shown.map((r) => ({
        processId: String(r.process_id),
        number: r.number ?? '',
        typeName: r.type_name ?? '',
        specification: r.specification ?? '',
        accessLevel: r.access_level ?? '',
        unread: Boolean(r.unread),
        assignedUserId: r.assigned_user_id ? String(r.assigned_user_id) : null,
        assignedName: r.assigned_name,
        expectedReturn: r.expected_return,
        overdue: Boolean(r.expected_return && r.expected_return < q.today),
        suspended: Boolean(r.suspended),
        arrivedAt: r.arrived_at as Date,
        sentFrom: r.sent_from,
      })),
      total,
      totalIsBound: filtered && total > COUNT_LIMIT,
      nextCursor: more && last ? `${last.arrived_key}|${last.process_id}` : null,
    };
  };
  return { received: page('received'), created: page('created') };
}
