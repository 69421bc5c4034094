import { expect } from 'chai';
import { ForeignKeyConstraintError, UniqueConstraintError } from 'sequelize';
import { execute, select } from '../../../server/db/sql';
import { TenantContextError } from '../../../server/errors';
import { inTenant, runWithTenant } from '../../../server/tenancy/context';
import { createTestTenant, type TestTenant } from '../../support/tenants';

describe('Integration - db/sql (raw tenant statements on the transaction\'s connection)', () => {
  let a: TestTenant;
  let b: TestTenant;
  before(async () => {
    a = await createTestTenant();
    b = await createTestTenant();
  });

  it('reads and writes the tenant of the transaction only, and rolls back with it', async () => {
    await runWithTenant(a.tenant, () => inTenant((t) => execute(t, "INSERT INTO holidays (day, name, scope) VALUES ('2031-03-19', 'São José', 'local')")));
    const failed = runWithTenant(b.tenant, () =>
      inTenant(async (t) => {
        await execute(t, "INSERT INTO holidays (day, name, scope) VALUES ('2031-03-20', 'Só em B, desfeito', 'local')");
        throw new Error('falha depois da escrita');
      }),
    );
    await failed.then(
      () => expect.fail('should have failed'),
      (err: Error) => expect(err.message).to.equal('falha depois da escrita'),
    );
    const inA = await runWithTenant(a.tenant, () => inTenant((t) => select<{ name: string }>(t, "SELECT name FROM holidays WHERE day BETWEEN '2031-03-19' AND '2031-03-20'")));
    const inB = await runWithTenant(b.tenant, () => inTenant((t) => select<{ name: string }>(t, "SELECT name FROM holidays WHERE day BETWEEN '2031-03-19' AND '2031-03-20'")));
    expect(inA.map((r) => r.name)).to.deep.equal(['São José']);
    expect(inB).to.deep.equal([]);
  });

  it('gives constraint violations as the Sequelize errors the services catch', async () => {
    await runWithTenant(a.tenant, async () => {
      await inTenant((t) => execute(t, "INSERT INTO holidays (day, name, scope) VALUES ('2031-04-21', 'Tiradentes', 'local')"));
      const duplicate = await inTenant((t) => execute(t, "INSERT INTO holidays (day, name, scope) VALUES ('2031-04-21', 'De novo', 'local')")).catch((e: unknown) => e);
      expect(duplicate).to.be.instanceOf(UniqueConstraintError);
      const [unit] = await inTenant((t) => select<{ id: string }>(t, 'SELECT id FROM units ORDER BY id LIMIT 1'));
      const orphan = await inTenant((t) => execute(t, "INSERT INTO user_units (user_id, unit_id, role) VALUES ($1, $2, 'basic')", ['999999999', unit.id])).catch((e: unknown) => e);
      expect(orphan).to.be.instanceOf(ForeignKeyConstraintError);
    });
  });

  it('binds a NUL inside a string as Sequelize did ("\\0"), instead of failing the statement', async () => {
    const [row] = await runWithTenant(a.tenant, () => inTenant((t) => select<{ v: string }>(t, 'SELECT $1::text AS v', ['a\u0000b'])));
    expect(row.v).to.equal('a\\0b');
  });

  it('fails closed outside a tenant transaction', async () => {
    const { testEnv } = await import('../../support/environment');
    const err = await testEnv()
      .sequelize.transaction((t) => select(t, 'SELECT 1 AS one'))
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(TenantContextError);
  });
});
