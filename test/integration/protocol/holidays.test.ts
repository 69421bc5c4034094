import { expect } from 'chai';
import { businessDeadline } from '../../../server/calendar/businessDays';
import { inTenant, runWithTenant } from '../../../server/tenancy/context';
import { tenantRows } from '../../support/protocol';
import { $, postForm } from '../../support/http';
import { createAngraAndMaranhao, createTestTenant } from '../../support/tenants';
import { loggedInAs } from '../../support/fixtures';

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
    const admin = await loggedInAs(t, 'admin');
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
    const basic = await loggedInAs(t, 'clerk');
    await basic.get('/administracao/feriados').expect(403);
  });
});

describe('Integration - protocol/holidays page: years and the tacit period of intimações', () => {
  it('links only the years that make sense, warns where the national holidays are missing, and sets the tenant\'s and a process type\'s tacit period', async () => {
    const t = await createTestTenant();
    const admin = await loggedInAs(t, 'admin');
    const thisYear = Number(new Date(Date.now() - 3 * 3_600_000).toISOString().slice(0, 4));
    const years = async (year: number) => $((await admin.get(`/administracao/feriados?ano=${year}`).expect(200)).text);
    const first = await years(Math.min(thisYear, 2026));
    expect(first('[data-testid="years"] a').map((_, a) => first(a).text()).get()).to.deep.equal([`${Math.min(thisYear, 2026) + 1} →`]);
    expect(first('[data-testid="not-seeded"]')).to.have.length(thisYear > 2026 ? 1 : 0);
    const last = await years(Math.max(thisYear, 2027) + 1);
    expect(last('[data-testid="years"] a').map((_, a) => last(a).text()).get()).to.deep.equal([`← ${Math.max(thisYear, 2027)}`]);
    expect(last('[data-testid="not-seeded"]').text()).to.contain('ainda não estão cadastrados');
    expect(first('[data-testid="tacit-days"]').text()).to.equal('10 dias');

    const days = async () => (await tenantRows<{ d: number }>(t, 'SELECT tacit_days AS d FROM tenant.protocol_settings'))[0].d;
    const bad = await postForm(admin, '/administracao/feriados', '/administracao/feriados/prazo-ciencia', { tipo: '', dias: '0' }, 422);
    expect($(bad.text)('#dias-error').text()).to.contain('de 1 a 60');
    const empty = await postForm(admin, '/administracao/feriados', '/administracao/feriados/prazo-ciencia', { tipo: '', dias: '' }, 422);
    expect($(empty.text)('#dias-error').text()).to.contain('prazo do ente');
    expect(await days()).to.equal(10);
    await postForm(admin, '/administracao/feriados', '/administracao/feriados/prazo-ciencia', { tipo: '', dias: '15' }, 303);
    expect(await days()).to.equal(15);
    const [type] = await tenantRows<{ id: string; name: string }>(t, 'SELECT id::text, name FROM tenant.process_types WHERE active ORDER BY name LIMIT 1');
    const unknown = await postForm(admin, '/administracao/feriados', '/administracao/feriados/prazo-ciencia', { tipo: '999999', dias: '5' }, 422);
    expect($(unknown.text)('#tipo-error').text()).to.contain('tipo de processo');
    await postForm(admin, '/administracao/feriados', '/administracao/feriados/prazo-ciencia', { tipo: type.id, dias: '20' }, 303);
    const page = $((await admin.get('/administracao/feriados').expect(200)).text);
    expect(page('#prazo-ciencia + p').text()).to.contain(`${type.name} (20 dias)`).and.to.contain('15 dias');
    await postForm(admin, '/administracao/feriados', '/administracao/feriados/prazo-ciencia', { tipo: type.id, dias: '' }, 303);
    expect((await tenantRows<{ d: number | null }>(t, 'SELECT tacit_days AS d FROM tenant.process_types WHERE id = $1', [type.id]))[0].d).to.equal(null);
    const audit = await tenantRows<{ n: string }>(t, "SELECT count(*) AS n FROM tenant.audit_log WHERE action = 'tacit_period.update'");
    expect(audit[0].n).to.equal('3');
  });
});
