import { expect } from 'chai';
import { setReceivingUnit, setSendMapping, setTramitaDefaults } from '../../../server/tramita/admin';
import { acceptTransfer, refuseTransfer } from '../../../server/tramita/receive';
import { sendToOtherGovernment } from '../../../server/tramita/send';
import { operatorAgent, PLATFORM } from '../../support/adhesion';
import { attachPdf, type DocWorld, docWorld, inWorld, newProcess } from '../../support/documents';
import { $, agentFor, postForm } from '../../support/http';
import { platformQuery } from '../../support/processes';
import { createTestTenant } from '../../support/tenants';
import { loggedInAs } from '../../support/fixtures';

/** The console's "Trâmites" page (issue 14): operators see every transfer's metadata and state, never its content. */
describe('Integration - console/transfers', function () {
  this.timeout(60_000);
  let origin: DocWorld;
  let receiver: DocWorld;
  const ids: Record<'accepted' | 'refused' | 'waiting', string> = { accepted: '', refused: '', waiting: '' };
  const numbers: Record<string, string> = {};

  before(async () => {
    origin = await docWorld(await createTestTenant());
    receiver = await docWorld(await createTestTenant());
    await inWorld(receiver, () => setReceivingUnit(receiver.ids.units.SEGOV, true));
    await inWorld(receiver, () => setTramitaDefaults({ defaultSendEspecie: null, defaultReceiveDocumentTypeId: receiver.docTypes['Anexo'], defaultLegalBasisId: null, receivedProcessTypeId: null }));
    await inWorld(origin, () => setSendMapping(origin.docTypes['Anexo'], 179));
    for (const key of ['accepted', 'refused', 'waiting'] as const) {
      const p = await newProcess(origin);
      await attachPdf(origin, p.id, `Conteúdo secreto ${key}`, { fileName: 'planilha.pdf' });
      ids[key] = (await inWorld(origin, () => sendToOtherGovernment(p.id, origin.clerk, { receiverTenantId: receiver.tt.tenant.id, receiverUnitId: receiver.ids.units.SEGOV, message: 'Mensagem interna do ofício', keepOpen: false }))).transferId;
      numbers[key] = p.number;
    }
    await inWorld(receiver, () => acceptTransfer(receiver.clerk, ids.accepted));
    await inWorld(receiver, () => refuseTransfer(receiver.clerk, ids.refused, '99', 'Não é da nossa competência'));
  });

  it('lists the transfers of an ente with NUP, origin, destination, state, sent and ended at — and no content', async () => {
    const { agent } = await operatorAgent();
    const res = await agent.get(`/admin/tramites?ente=${origin.tt.tenant.id}`).expect(200);
    const page = $(res.text);
    expect(page('nav.app-console-nav a[aria-current="page"]').text()).to.equal('Trâmites');
    const rows = page('[data-testid="transfers"] tbody tr');
    expect(rows.map((_, el) => page(el).attr('data-transfer')).get()).to.deep.equal([ids.waiting, ids.refused, ids.accepted]);
    const accepted = page(`tr[data-transfer="${ids.accepted}"]`);
    const cells = accepted.children().map((_, el) => page(el).text().trim()).get();
    expect(cells[0]).to.equal(`nº ${ids.accepted}`);
    expect(cells[1]).to.equal(numbers.accepted);
    expect(cells[2]).to.contain(origin.tt.tenant.name).and.contain('SEGOV');
    expect(cells[3]).to.contain(receiver.tt.tenant.name).and.contain('SEGOV');
    expect(cells[4], 'accepted, its receipt issued at both ends').to.equal('Recibo de conclusão emitido');
    expect(cells[5]).to.match(/^\d{2}\/\d{2}\/\d{4}/);
    expect(cells[6]).to.match(/^\d{2}\/\d{2}\/\d{4}/);
    expect(page(`tr[data-transfer="${ids.refused}"] td`).eq(3).text()).to.equal('Recusado pelo destinatário');
    expect(page(`tr[data-transfer="${ids.waiting}"] td`).eq(3).text()).to.equal('Componentes enviados, aguardando o destinatário');
    expect(page(`tr[data-transfer="${ids.waiting}"] td`).eq(5).text()).to.equal('—');
    expect(res.text).not.to.contain('Conteúdo secreto').and.not.to.contain('Mensagem interna').and.not.to.contain('planilha.pdf').and.not.to.contain('Não é da nossa competência');
  });

  it('filters by state and by ente (origin or destination)', async () => {
    const { agent } = await operatorAgent();
    const byState = $((await agent.get(`/admin/tramites?situacao=recusado&ente=${receiver.tt.tenant.id}`).expect(200)).text);
    expect(byState('[data-testid="transfers"] tbody tr').map((_, el) => byState(el).attr('data-transfer')).get()).to.deep.equal([ids.refused]);
    expect(byState('#filter-state option[selected]').attr('value')).to.equal('recusado');
    const other = await createTestTenant();
    const none = $((await agent.get(`/admin/tramites?ente=${other.tenant.id}`).expect(200)).text);
    expect(none('[data-testid="transfers"] tbody tr').text()).to.contain('Nenhum trâmite com esses filtros.');
    const all = $((await agent.get('/admin/tramites?situacao=recibo_conclusao').expect(200)).text);
    expect(all('[data-testid="transfers"] tbody tr').map((_, el) => all(el).attr('data-state')).get()).to.include('recibo_conclusao').and.not.include('recusado');
  });

  it('pages with a keyset cursor: "antes" shows only older transfers', async () => {
    const { agent } = await operatorAgent();
    const page = $((await agent.get(`/admin/tramites?ente=${origin.tt.tenant.id}&antes=${ids.waiting}`).expect(200)).text);
    expect(page('[data-testid="transfers"] tbody tr').map((_, el) => page(el).attr('data-transfer')).get()).to.deep.equal([ids.refused, ids.accepted]);
  });

  it('refuses a bad filter with 400 and a message in Portuguese', async () => {
    const { agent } = await operatorAgent();
    const badState = await agent.get('/admin/tramites?situacao=perdido').expect(400);
    expect(badState.text).to.contain('Escolha uma situação da lista.');
    const badEnte = await agent.get('/admin/tramites?ente=abc').expect(400);
    expect(badEnte.text).to.contain('O identificador deve ser um número inteiro positivo.');
  });

  it('lets an operator set the deadline for automatic cancellation: later transfers take it, a bad value is refused next to the field, and it is audited', async () => {
    const { agent } = await operatorAgent();
    const page = $((await agent.get('/admin/tramites').expect(200)).text);
    expect(page('#timeoutDays').attr('value')).to.equal('7');
    const bad = await postForm(agent, '/admin/tramites', '/admin/tramites/prazo', { timeoutDays: '0' });
    expect(bad.status).to.equal(422);
    expect($(bad.text)('#timeoutDays-error').text()).to.contain('pelo menos 1 dia');
    try {
      const saved = await postForm(agent, '/admin/tramites', '/admin/tramites/prazo', { timeoutDays: '3' });
      expect(saved.status).to.equal(303);
      expect($((await agent.get('/admin/tramites').expect(200)).text)('[role="status"]').text()).to.contain('3 dia(s)');
      const p = await newProcess(origin);
      await attachPdf(origin, p.id, `Prazo ${p.number}`, { fileName: 'prazo.pdf' });
      const { transferId } = await inWorld(origin, () => sendToOtherGovernment(p.id, origin.clerk, { receiverTenantId: receiver.tt.tenant.id, receiverUnitId: receiver.ids.units.SEGOV, message: null, keepOpen: false }));
      const [row] = await platformQuery<{ days: string }>('SELECT round(extract(epoch FROM expires_at - created_at) / 86400)::text AS days FROM platform.tramita_transfers WHERE id = $1', [transferId]);
      expect(row.days).to.equal('3');
      const [audit] = await platformQuery<{ details: { before: number; after: number } }>("SELECT details FROM platform.audit_log WHERE action = 'tramita.timeout_set' ORDER BY id DESC LIMIT 1");
      expect(audit.details).to.deep.equal({ before: 7, after: 3 });
    } finally {
      await postForm(agent, '/admin/tramites', '/admin/tramites/prazo', { timeoutDays: '7' }, 303);
    }
  });

  it('lets only operators in: a visitor goes to the login, a tenant user has no console', async () => {
    const visitor = await agentFor(PLATFORM).get('/admin/tramites').expect(302);
    expect(visitor.headers.location).to.equal('/login?next=%2Fadmin%2Ftramites');
    const tenantAgent = await loggedInAs(origin.tt, 'admin');
    await tenantAgent.get('/admin/tramites').expect(404);
  });
});
