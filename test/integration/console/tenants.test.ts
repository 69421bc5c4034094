import { expect } from 'chai';
import { PlatformAuditEntry, Tenant } from '../../../server/models';
import { operatorAgent, PLATFORM } from '../../support/adhesion';
import { $, agentFor, csrfFrom } from '../../support/http';
import { createTestTenant } from '../../support/tenants';
import { createExternalDocument } from '../../../server/documents/service';
import { setReceivingUnit, setSendMapping, setTramitaDefaults } from '../../../server/tramita/admin';
import { acceptTransfer } from '../../../server/tramita/receive';
import { cancelTransfer, sendToOtherGovernment } from '../../../server/tramita/send';
import { docWorld, inWorld, newProcess, type DocWorld } from '../../support/documents';
import { testEnv } from '../../support/environment';
import { samplePdf } from '../../support/files';
import { loggedInAs } from '../../support/fixtures';

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
    await loggedInAs(t, 'admin'); // the administrator logs in again once the tenant is reactivated

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

  it('counts the transfers that reached the receiver on the landing page, total and in the last 30 days', async () => {
    const origin = await docWorld(await createTestTenant());
    const receiver = await docWorld(await createTestTenant());
    await inWorld(receiver, () => setReceivingUnit(receiver.ids.units.SEGOV, true));
    await inWorld(receiver, () => setTramitaDefaults({ defaultSendEspecie: null, defaultReceiveDocumentTypeId: receiver.docTypes['Anexo'], defaultLegalBasisId: null, receivedProcessTypeId: null }));
    await inWorld(origin, () => setSendMapping(origin.docTypes['Anexo'], 179));
    const send = async (w: DocWorld) => {
      const p = await newProcess(w);
      await inWorld(w, async () =>
        createExternalDocument(w.clerk, p.id, {
          documentTypeId: w.docTypes['Anexo'], complement: null, documentDate: '2026-11-30', origin: 'nato_digital', sender: null,
          accessLevel: 'public', legalBasisId: null, file: { buffer: await samplePdf('Planilha'), originalname: 'planilha.pdf' },
        }),
      );
      const { transferId } = await inWorld(w, () => sendToOtherGovernment(p.id, w.clerk, { receiverTenantId: receiver.tt.tenant.id, receiverUnitId: receiver.ids.units.SEGOV, message: null, keepOpen: false }));
      return transferId;
    };
    const figures = async () => {
      const page = $((await agentFor(PLATFORM).get('/').expect(200)).text);
      return { total: Number(page('[data-figure="transfers"]').text().replace(/\D/g, '')), last30: Number(page('[data-figure="transfers-30-days"]').text().replace(/\D/g, '')) };
    };
    const before = await figures();
    const [a, b, c] = [await send(origin), await send(origin), await send(origin)];
    expect(await figures(), 'sent but not received yet: not counted').to.deep.equal(before);
    await inWorld(receiver, () => acceptTransfer(receiver.clerk, a));
    await inWorld(receiver, () => acceptTransfer(receiver.clerk, b));
    await inWorld(origin, () => cancelTransfer(c, origin.clerk));
    expect(await figures()).to.deep.equal({ total: before.total + 2, last30: before.last30 + 2 });
    await testEnv().sequelize.query(`UPDATE platform.tramita_transfers SET ended_at = now() - interval '40 days' WHERE id = $1`, { bind: [b] });
    expect(await figures(), 'one received 40 days ago').to.deep.equal({ total: before.total + 2, last30: before.last30 + 1 });
  });
});
