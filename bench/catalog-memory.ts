/**
 * What one PostgreSQL backend keeps per tenant schema it has touched (its catalog caches grow with
 * every schema and are never trimmed), and so how many uses a pooled connection may have before it
 * is recycled (DB_POOL_MAX_USES) for a memory budget.
 *
 *   npx tsx bench/catalog-memory.ts [--schemas 300]
 *
 * Prepares --schemas spare tenant schemas, then one connection runs the inbox's statements
 * (through the real service) in each schema in turn; the backend's private memory (smaps_rollup) is
 * printed every 50 schemas. Prints figures; asserts nothing.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { QueryTypes } from 'sequelize';
import { inboxPages } from '../server/processes/inbox';
import { todayInSaoPaulo } from '../server/processes/dates';
import { inTenant, runWithTenant, schemaFor } from '../server/tenancy/context';
import { prepareSpareSchemas } from '../server/tenancy/provisioning';
import { openBenchDatabase } from './lib/database';

const { values } = parseArgs({ options: { schemas: { type: 'string', default: '300' } } });
const N = Number(values.schemas);

function privateKb(pid: number): number {
  const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return ['Private_Clean', 'Private_Dirty'].reduce((sum, k) => sum + Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0), 0);
}

async function main(): Promise<void> {
  const db = await openBenchDatabase({ poolMax: 1 });
  const { sequelize } = db;
  const t0 = Date.now();
  await prepareSpareSchemas(sequelize, N);
  process.stdout.write(`${N} spare schemas prepared in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  const ids = (await sequelize.query<{ id: string }>("SELECT id FROM platform.tenants WHERE status = 'spare' ORDER BY id", { type: QueryTypes.SELECT })).map((r) => r.id);
  let pid = 0;
  let base = 0;
  for (const [i, id] of ids.entries()) {
    const tenant = { id, slug: `t${id}`, name: 'bench', schema: schemaFor(id) };
    await runWithTenant(tenant, async () => {
      await inboxPages({ unitId: '1', userId: '1', today: todayInSaoPaulo(), filters: { mine: false, processTypeId: null, overdue: false }, cursors: {} });
      const [row] = await inTenant((t) => sequelize.query<{ pid: number }>('SELECT pg_backend_pid() AS pid', { transaction: t, type: QueryTypes.SELECT }));
      if (pid && row.pid !== pid) throw new Error('a conexão mudou (use DB_POOL_MAX 1)');
      pid = row.pid;
    });
    if (i === 0) base = privateKb(pid);
    if ((i + 1) % 50 === 0 || i === ids.length - 1) {
      const kb = privateKb(pid);
      process.stdout.write(`${i + 1} schemas touched: backend private memory ${(kb / 1024).toFixed(1)} MB (${((kb - base) / i).toFixed(0)} KB per schema after the first)\n`);
    }
  }
  await db.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
