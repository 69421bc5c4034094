import type { Transaction } from 'sequelize';
import { execute } from '../db/sql';

/**
 * The per-unit counters of open processes (unit_inbox_counts, kept by a trigger on process_units)
 * are rows every change to a unit's list updates. A transaction that changes the lists of several
 * units (Enviar: the origin and each target) takes those rows in one order — by unit id — before it
 * writes, so two units sending to each other at the same moment wait for one another instead of
 * deadlocking.
 */
export async function lockInboxCounts(t: Transaction, unitIds: string[]): Promise<void> {
  const ids = [...new Set(unitIds.map(String))].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  await execute(
    t,
    `INSERT INTO unit_inbox_counts (unit_id, list, open_count)
     SELECT u.id, l.list, 0 FROM unnest($1::bigint[]) WITH ORDINALITY AS u (id, n), (VALUES ('received'), ('created')) AS l (list)
      ORDER BY u.n, l.list
     ON CONFLICT (unit_id, list) DO NOTHING`,
    [ids],
  );
  await execute(t, 'SELECT 1 FROM unit_inbox_counts WHERE unit_id = ANY ($1::bigint[]) ORDER BY unit_id, list FOR UPDATE', [ids]);
}
