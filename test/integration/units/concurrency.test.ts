import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import type { Actor } from '../../../server/audit/record';
import { ValidationError } from '../../../server/errors';
import { runWithTenant } from '../../../server/tenancy/context';
import { createUnit, moveUnit } from '../../../server/units/service';
import { testEnv } from '../../support/environment';
import { createTestTenant } from '../../support/tenants';

const actor: Actor = { userId: null, ip: null, requestId: 'test' };

describe('Integration - units/concurrent moves', () => {
  it('never lets two opposite moves at once make a cycle: one wins, the other is refused', async () => {
    const t = await createTestTenant();
    const ids = await runWithTenant(t.tenant, async () => {
      const [root] = await testEnv().sequelize.query<{ id: string }>(`SELECT id::text FROM "${t.tenant.schema}".units WHERE parent_id IS NULL`, { type: QueryTypes.SELECT });
      const a = await createUnit(actor, root.id, { acronym: 'AAA', name: 'Unidade A', protocolCode: null });
      const b = await createUnit(actor, root.id, { acronym: 'BBB', name: 'Unidade B', protocolCode: null });
      return { a: String(a.id), b: String(b.id) };
    });
    const outcomes = await Promise.allSettled([
      runWithTenant(t.tenant, () => moveUnit(actor, ids.a, ids.b)),
      runWithTenant(t.tenant, () => moveUnit(actor, ids.b, ids.a)),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(1);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).to.be.instanceOf(ValidationError);
    const [loop] = await testEnv().sequelize.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${t.tenant.schema}".units a JOIN "${t.tenant.schema}".units b ON a.parent_id = b.id AND b.parent_id = a.id`,
      { type: QueryTypes.SELECT },
    );
    expect(loop.n).to.equal(0);
  });
});
