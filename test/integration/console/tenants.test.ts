import { expect } from 'chai';
import { PlatformAuditEntry, Tenant } from '../../../server/models';
import { operatorAgent, PLATFORM } from '../../support/adhesion';
import { $, agentFor, csrfFrom, login } from '../../support/http';
import { createTestTenant } from '../../support/tenants';

describe('Integration - console/tenants', () => {
  it('suspends a tenant with a reason: its host shows "temporariamente indisponível" and nobody logs in; reactivating restores it', async () => {
    const t = await createTestTenant({ kind: 'orgao', ibgeCode: null, uf: 'PA' });
    const { agent, operator } = await operatorAgent();
    const list = await agent.get(`/admin/entes?q=${t.definition.slug}`).expect(200);
    expect($(list.text)(`tr[data-slug="${t.definition.slug}"]`).text()).to.contain('ativo').and.contain('criado pela linha de comando');

    const noReason = await agent.post(`/admin/entes/${t.tenant.id}/suspender`).type('form').send({ _csrf: csrfFrom(list.text), reason: '' }).expect(422);
    expect($(noReason.text)(`#reason-${t.tenant.id}-error`).text()).to.contain('Informe o motivo.');
    expect((await Tenant.findByPk(t.tenant.id))?.status).to.equal('active');

    const reason = 'Pedido do próprio ente: troca de gestão.';
    await agent.post(`/admin/entes/${t.tenant.id}/suspender`).type('form').send({ _csrf: csrfFrom(list.text), reason }).expect(303);
    const row = await Tenant.findByPk(t.tenant.id);
    expect(row?.status).to.equal('suspended');
    expect(row?.statusReason).to.equal(reason);
    const home = await agentFor(t.host).get('/login').expect(503);
    expect($(home.text)('h1').text()).to.equal('Temporariamente indisponível');
    const attempt = await agentFor(t.host).post('/login').type('form').send({ email: t.admin.email, password: t.admin.password });
    expect(attempt.status).to.equal(503);

    const suspendedList = await agent.get(`/admin/entes?situacao=suspended&q=${t.definition.slug}`).expect(200);
    expect($(suspendedList.text)(`tr[data-slug="${t.definition.slug}"]`).text()).to.contain('suspenso').and.contain(reason);
    await agent.post(`/admin/entes/${t.tenant.id}/reativar`).type('form').send({ _csrf: csrfFrom(suspendedList.text), reason: 'Nova gestão indicada.' }).expect(303);
    expect((await Tenant.findByPk(t.tenant.id))?.status).to.equal('active');
    const back = agentFor(t.host);
    expect((await login(back, t.admin.email, t.admin.password)).status).to.equal(302);

    const actions = (await PlatformAuditEntry.findAll({ where: { tenantId: t.tenant.id, actorId: String(operator.id) }, order: [['id', 'ASC']] })).map((e) => e.action);
    expect(actions).to.deep.equal(['tenant.suspended', 'tenant.reactivated']);
    const audit = $((await agent.get('/admin/auditoria?acao=tenant.').expect(200)).text);
    const rows = audit('[data-testid="audit"] tbody tr').map((_, el) => audit(el).text()).get();
    expect(rows.some((r) => r.includes('tenant.suspended') && r.includes(operator.name) && r.includes(reason))).to.equal(true);
  });

  it('counts only active tenants on the landing page, with a breakdown by UF', async () => {
    await createTestTenant({ kind: 'orgao', ibgeCode: null, uf: 'RO' });
    const other = await createTestTenant({ kind: 'orgao', ibgeCode: null, uf: 'RO' });
    const figure = async () => {
      const page = $((await agentFor(PLATFORM).get('/').expect(200)).text);
      return Number(page('[data-testid="figures-by-uf"] tr[data-uf="RO"] td').last().text());
    };
    const before = await figure();
    await Tenant.update({ status: 'suspended' }, { where: { id: other.tenant.id } });
    expect(await figure()).to.equal(before - 1);
  });
});
