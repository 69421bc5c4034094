import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { createProcess } from '../../../server/processes/create';
import { numberingYear } from '../../../server/processes/numbering';
import { runWithTenant } from '../../../server/tenancy/context';
import { testEnv } from '../../support/environment';
import { createProcessAs, idsOf, processInput, tenantQuery, type TenantIds } from '../../support/processes';
import { createTestTenant, type TestTenant } from '../../support/tenants';

describe('Integration - processes/create (service)', () => {
  let tt: TestTenant;
  let ids: TenantIds;
  let actor: { userId: string; unitId: string };

  before(async () => {
    tt = await createTestTenant();
    ids = await idsOf(tt);
    actor = { userId: ids.users[tt.clerk.email], unitId: ids.units.SEGOV };
  });

  it('gives 50 concurrent creations in one unit 50 consecutive NUP numbers under the ancestor protocol code', async () => {
    const created = await Promise.all(Array.from({ length: 50 }, () => createProcessAs(tt, actor, processInput(ids))));
    const year = numberingYear();
    const sequences = created.map((c) => {
      expect(c.number).to.match(new RegExp(`^10001\\.[0-9]{6}/${year}-[0-9]{2}$`));
      return Number(c.number.slice(6, 12));
    });
    const sorted = [...sequences].sort((a, b) => a - b);
    expect(sorted[0]).to.equal(1);
    expect(sorted).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 1));
    const [fig] = await testEnv().sequelize.query<{ processes: string }>('SELECT processes FROM platform.tenant_figures WHERE tenant_id = $1', {
      bind: [tt.tenant.id],
      type: QueryTypes.SELECT,
    });
    expect(Number(fig.processes)).to.equal(50);
    const open = await tenantQuery<{ n: string }>(tt, 'SELECT count(*) AS n FROM process_units WHERE unit_id = $1 AND open', [actor.unitId]);
    expect(Number(open[0].n)).to.equal(50);
  });

  it('registers a valid informed number and refuses it a second time', async () => {
    const created = await createProcessAs(tt, actor, processInput(ids, { informedNumber: '12345.000123/2025-95' }));
    expect(created.number).to.equal('12345.000123/2025-95');
    let error: unknown;
    try {
      await createProcessAs(tt, actor, processInput(ids, { informedNumber: '12345000123202595' }));
    } catch (err) {
      error = err;
    }
    expect((error as { fields?: Record<string, string> }).fields?.informedNumber).to.equal('Já existe um processo com este número.');
  });

  it('refuses an informed number with wrong check digits, writing nothing', async () => {
    let error: unknown;
    try {
      await createProcessAs(tt, actor, processInput(ids, { informedNumber: '12345.000123/2025-96' }));
    } catch (err) {
      error = err;
    }
    expect((error as { fields?: Record<string, string> }).fields?.informedNumber).to.match(/dígitos verificadores/);
    const rows = await tenantQuery(tt, "SELECT 1 FROM processes WHERE number_digits = '12345000123202596'");
    expect(rows).to.have.length(0);
  });

  it('numbers NIPE with the state code of the tenant\'s IBGE code', async () => {
    const state = await createTestTenant({ kind: 'estado', uf: 'TO', ibgeCode: '17', numberingScheme: 'nipe' });
    const sIds = await idsOf(state);
    const c = await runWithTenant(state.tenant, () =>
      createProcess(processInput(sIds), { userId: sIds.users[state.clerk.email], unitId: sIds.units.SEGOV }, 'nipe', new Date('2026-06-01T12:00:00Z')),
    );
    expect(c.number).to.match(/^17\.010001\.000001\/2026-[0-9]{2}$/);
  });

  it('restarts the sequence on 1 January in America/Sao_Paulo, not UTC', async () => {
    const other = await createTestTenant();
    const oIds = await idsOf(other);
    const a = { userId: oIds.users[other.clerk.email], unitId: oIds.units.SEGOV };
    const late = await runWithTenant(other.tenant, () => createProcess(processInput(oIds), a, 'nup', new Date('2027-01-01T02:30:00Z')));
    const early = await runWithTenant(other.tenant, () => createProcess(processInput(oIds), a, 'nup', new Date('2027-01-01T03:00:00Z')));
    expect(late.number).to.match(/^10001\.000001\/2026-/);
    expect(early.number).to.match(/^10001\.000001\/2027-/);
  });
});
