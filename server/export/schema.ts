import type { Transaction } from 'sequelize';
import { select } from '../db/sql';

/** The migration ledger: written by provisioning, never exported as data to load back. */
export const LEDGER_TABLE = 'schema_migrations';
/** Table whose bytes go to `files/<sha256>` rather than into its CSV. */
export const FILES_TABLE = 'file_contents';
export const FILES_COLUMN = 'content';

export interface ColumnInfo {
  name: string;
  type: string;
  /** GENERATED ALWAYS AS (…) STORED: exported, never inserted. */
  generated: boolean;
}

export interface TableInfo {
  name: string;
  columns: ColumnInfo[];
  /** Primary-key columns, for a stable row order (empty: physical order). */
  key: string[];
  /** Tables this one refers to by foreign key (self-references left out). */
  refersTo: string[];
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Every table of the current tenant schema (the transaction's search path), in a load-safe order. */
export async function tenantTables(t: Transaction): Promise<TableInfo[]> {
  const columns = await select<{ table: string; name: string; type: string; generated: string }>(
    t,
    `SELECT c.relname::text AS table, a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attgenerated AS generated
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`,
  );
  const keys = await select<{ table: string; columns: string[] }>(
    t,
    `SELECT c.relname::text AS table, array_agg(a.attname::text ORDER BY k.ord) AS columns
       FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
      WHERE n.nspname = current_schema() AND con.contype = 'p'
      GROUP BY c.relname`,
  );
  const refs = await select<{ table: string; target: string }>(
    t,
    `SELECT DISTINCT c.relname::text AS table, r.relname::text AS target
       FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_class r ON r.oid = con.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND con.contype = 'f' AND con.conrelid <> con.confrelid`,
  );
  const byName = new Map<string, TableInfo>();
  for (const c of columns) {
    if (c.table === LEDGER_TABLE) continue;
    let info = byName.get(c.table);
    if (!info) byName.set(c.table, (info = { name: c.table, columns: [], key: [], refersTo: [] }));
    info.columns.push({ name: c.name, type: c.type, generated: c.generated !== '' });
  }
  for (const k of keys) byName.get(k.table)?.key.push(...k.columns);
  for (const r of refs) if (byName.has(r.target)) byName.get(r.table)?.refersTo.push(r.target);
  return loadOrder([...byName.values()]);
}

/** Referenced tables before the tables that refer to them (Kahn), ties by name. */
function loadOrder(tables: TableInfo[]): TableInfo[] {
  const done = new Set<string>();
  const ordered: TableInfo[] = [];
  let left = [...tables].sort((a, b) => a.name.localeCompare(b.name));
  while (left.length) {
    const ready = left.filter((tb) => tb.refersTo.every((r) => done.has(r)));
    if (!ready.length) throw new Error(`Referências circulares entre as tabelas: ${left.map((tb) => tb.name).join(', ')}`);
    for (const tb of ready) {
      done.add(tb.name);
      ordered.push(tb);
    }
    left = left.filter((tb) => !done.has(tb.name));
  }
  return ordered;
}

/** Columns written to a table's CSV (the files table's bytes live in `files/`). */
export function csvColumns(table: TableInfo): ColumnInfo[] {
  return table.columns.filter((c) => !(table.name === FILES_TABLE && c.name === FILES_COLUMN));
}
