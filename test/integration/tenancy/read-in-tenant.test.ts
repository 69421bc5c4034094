import { expect } from 'chai';
import type { Client } from 'pg';
import { QueryTypes } from 'sequelize';
import { TenantContextError } from '../../../server/errors';
import { inTenant, readInTenant, runWithTenant, setCurrentTenant } from '../../../server/tenancy/context';
import { testEnv } from '../../support/environment';
import { createAngraAndMaranhao, type TestTenant } from '../../support/tenants';

interface PoolAccess {
  getConnection(): Promise<Client>;
  releaseConnection(c: Client): void;
}

/** Every connection the shared pool can hand out, checked for leftovers of a tenant transaction. */
async function pooledConnectionsState(): Promise<{ inTransaction: boolean; searchPath: string }[]> {
  const { sequelize, config } = testEnv();
  const pool = sequelize.connectionManager as unknown as PoolAccess;
  const clients = await Promise.all(Array.from({ length: Math.min(config.DB_POOL_MAX, 20) }, () => pool.getConnection()));
  try {
    return await Promise.all(
      clients.map(async (c) => {
        const { rows } = await c.query<{ in_tx: boolean; path: string }>(
          "SELECT now() <> statement_timestamp() AS in_tx, current_setting('search_path') AS path",
        );
        return { inTransaction: rows[0].in_tx, searchPath: rows[0].path };
      }),
    );
  } finally {
    clients.forEach((c) => pool.releaseConnection(c));
  }
}

describe('Integration - tenancy/readInTenant (the read path of the busiest pages)', () => {
  let angra: TestTenant;
  let maranhao: TestTenant;

  before(async () => {
    ({ angra, maranhao } = await createAngraAndMaranhao());
  });

  const probe = (t: TestTenant) =>
    runWithTenant(t.tenant, () =>
      readInTenant(async (read) => {
        const [row] = await read<{ schema: string; units: string }>("SELECT current_schema() AS schema, (SELECT string_agg(acronym, ',' ORDER BY acronym) FROM units) AS units", []);
        return row;
      }),
    );

  it('reads each tenant\'s own schema and rows, 200 reads of two tenants at once', async () => {
    const tenants = Array.from({ length: 200 }, (_, i) => (i % 2 ? angra : maranhao));
    const rows = await Promise.all(tenants.map(probe));
    rows.forEach((row, i) => {
      expect(row.schema).to.equal(tenants[i].tenant.schema);
      expect(row.units).to.equal(tenants[i] === angra ? 'PMAR,SEGOV' : 'GEMA,SEFAZ');
    });
  });

  it('fails closed outside a tenant context, before touching the database', async () => {
    let ran = false;
    const err = await readInTenant(async () => (ran = true)).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(TenantContextError);
    expect(ran).to.equal(false);
  });

  it('is read only', async () => {
    const err = await runWithTenant(angra.tenant, () => readInTenant((read) => read("INSERT INTO units (acronym, name) VALUES ('X', 'X')", []))).catch((e: unknown) => e as { code?: string });
    expect(err).to.have.property('code', '25006'); // read_only_sql_transaction
  });

  it('leaves no open transaction and no tenant search path on the pooled connections, whether it succeeds or fails', async () => {
    await probe(angra);
    const sqlError = await runWithTenant(angra.tenant, () => readInTenant((read) => read('SELECT * FROM no_such_table', []))).catch((e: unknown) => e as Error);
    expect(sqlError).to.be.instanceOf(Error);
    const thrown = await runWithTenant(maranhao.tenant, () =>
      readInTenant(async (read) => {
        await read('SELECT 1', []);
        throw new Error('falha do chamador');
      }),
    ).catch((e: unknown) => e as Error);
    expect(thrown.message).to.equal('falha do chamador');
    const states = await pooledConnectionsState();
    expect(states.filter((s) => s.inTransaction)).to.deep.equal([]);
    expect(states.filter((s) => s.searchPath.includes('tenant_'))).to.deep.equal([]);
  });

  it('does not return a connection the database ended to the pool: the next read works', async () => {
    const err = await runWithTenant(angra.tenant, () => readInTenant((read) => read('SELECT pg_terminate_backend(pg_backend_pid())', []))).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(Error);
    for (let i = 0; i < 5; i += 1) expect((await probe(angra)).schema).to.equal(angra.tenant.schema);
  });

  it('inside an open tenant transaction, reads in that transaction (sees its uncommitted rows)', async () => {
    const seen = await runWithTenant(angra.tenant, () =>
      inTenant(async (t) => {
        await testEnv().sequelize.query("INSERT INTO units (acronym, name) VALUES ('TEMP', 'Unidade temporária')", { transaction: t, type: QueryTypes.INSERT });
        const [row] = await readInTenant((read) => read<{ n: string }>('SELECT count(*) AS n FROM units WHERE acronym = $1', ['TEMP']));
        return Number(row.n);
      }),
    );
    expect(seen).to.equal(1);
    // Refused when the context's tenant is not the open transaction's.
    let ran = false;
    const err = await runWithTenant(angra.tenant, () =>
      inTenant(async () => {
        setCurrentTenant(maranhao.tenant);
        return readInTenant(async () => (ran = true));
      }),
    ).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(TenantContextError);
    expect(ran).to.equal(false);
  });
});
