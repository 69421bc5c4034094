import { expect } from 'chai';
import { businessDeadline } from '../../../server/calendar/businessDays';
import { inTenant, runWithTenant } from '../../../server/tenancy/context';
import { tenantRows } from '../../support/protocol';
import { $, agentFor, login, postForm } from '../../support/http';
import { createAngraAndMaranhao, createTestTenant } from '../../support/tenants';

describe('Integration - protocol/holidays (each tenant\'s holidays in its business-day deadlines)', () => {
  it('seeds the national holidays of 2026–2027 in every tenant, and a local holiday moves only its own tenant\'s deadlines', async () => {
    const { angra, maranhao } = await createAngraAndMaranhao();
    const seeded = await tenantRows<{ n: string; natal: string }>(angra, "SELECT count(*) AS n, count(*) FILTER (WHERE day = '2027-12-25') AS natal FROM tenant.holidays WHERE scope = 'national'");
    expect(seeded[0]).to.deep.equal({ n: '20', natal: '1' });
    await tenantRows(angra, "INSERT INTO tenant.holidays (day, name, scope) VALUES ('2026-11-23', 'Aniversário da cidade', 'local') RETURNING day");
    const sent = new Date('2026-11-10T09:00:00-03:00');
    const deadline = (tt: typeof angra) => runWithTenant(tt.tenant, () => inTenant((t) => businessDeadline(t, sent, 10)));
    // Day 10 is Friday 20/11 (Consciência Negra, national): Monday 23/11, or Tuesday where 23/11 is a local holiday.
    expect(await deadline(maranhao)).to.deep.equal({ lastDay: '2026-11-23', endsAt: new Date('2026-11-24T03:00:00Z') });
    expect(await deadline(angra)).to.deep.equal({ lastDay: '2026-11-24', endsAt: new Date('2026-11-25T03:00:00Z') });
  });
});

describe('Integration - protocol/holidays administration (/administracao/feriados)', () => {
  it('lists the year\'s holidays; an administrator adds and removes a local one, with the audit log; bad input writes nothing', async () => {
    const t = await createTestTenant();
    const admin = agentFor(t.host);
    await login(admin, t.admin.email, t.admin.password);
    const page = $((await admin.get('/administracao/feriados?ano=2026').expect(200)).text);
    expect(page('[data-testid="holidays"] tbody tr')).to.have.length(10);
    expect(page('[data-testid="holidays"] tbody th').first().text()).to.equal('01/01/2026');
    const local = async () => (await tenantRows<{ n: string }>(t, "SELECT count(*) AS n FROM tenant.holidays WHERE scope = 'local'"))[0].n;
    const bad = await postForm(admin, '/administracao/feriados?ano=2026', '/administracao/feriados', { day: '2026-02-30', name: 'x' }, 422);
    expect($(bad.text)('#day-error').text()).to.contain('data do feriado');
    expect($(bad.text)('#name-error').text()).to.contain('nome do feriado');
    const taken = await postForm(admin, '/administracao/feriados?ano=2026', '/administracao/feriados', { day: '2026-12-25', name: 'Natal de novo' }, 422);
    expect($(taken.text)('#day-error').text()).to.contain('já é feriado');
    expect(await local()).to.equal('0');
    await postForm(admin, '/administracao/feriados?ano=2026', '/administracao/feriados', { day: '2026-11-23', name: 'Aniversário da cidade' }, 303);
    const listed = $((await admin.get('/administracao/feriados?ano=2026').expect(200)).text);
    expect(listed('[data-testid="holidays"] tbody tr').text()).to.contain('Aniversário da cidade').and.to.contain('Local');
    await postForm(admin, '/administracao/feriados?ano=2026', '/administracao/feriados/2026-12-25/excluir', {}, 404);
    await postForm(admin, '/administracao/feriados?ano=2026', '/administracao/feriados/2026-11-23/excluir', {}, 303);
    expect(await local()).to.equal('0');
    const audit = await tenantRows<{ action: string }>(t, "SELECT action FROM tenant.audit_log WHERE entity = 'holiday' ORDER BY id");
    expect(audit.map((a) => a.action)).to.deep.equal(['holiday.create', 'holiday.delete']);
    const basic = agentFor(t.host);
    await login(basic, t.clerk.email, t.clerk.password);
    await basic.get('/administracao/feriados').expect(403);
  });
});
