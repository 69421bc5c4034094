import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { testEnv } from '../../support/environment';
import { $, csrfFrom, postForm } from '../../support/http';
import { createViaHttp, emailOf, loggedIn, processTenant } from '../../support/processes-http';
import { idsOf, tenantQuery, type TenantIds } from '../../support/processes';
import type { TestTenant } from '../../support/tenants';

interface UnitState {
  acronym: string;
  open: boolean;
  unread: boolean;
  list: string;
  received_by: string | null;
  expected_return: string | null;
}

describe('Integration - processes/send, receive, conclude, reopen', () => {
  let t: TestTenant;
  let ids: TenantIds;

  before(async () => {
    t = await processTenant();
    ids = await idsOf(t);
  });

  function states(processId: string): Promise<UnitState[]> {
    return tenantQuery<UnitState>(
      t,
      `SELECT un.acronym, pu.open, pu.unread, pu.list, u.name AS received_by, pu.expected_return::text AS expected_return
         FROM process_units pu JOIN units un ON un.id = pu.unit_id LEFT JOIN users u ON u.id = pu.received_by_id
        WHERE pu.process_id = $1 ORDER BY un.acronym`,
      [processId],
    );
  }

  async function send(agent: Awaited<ReturnType<typeof loggedIn>>, id: string, fields: Record<string, string | string[]>) {
    return postForm(agent, `/processos/${id}/enviar`, `/processos/${id}/enviar`, fields);
  }

  it('sends to two units keeping it open: unread in both targets, still open here, with retorno programado and e-mails', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const p = await createViaHttp(clerk);
    const res = await send(clerk, p.id, { units: [ids.units.SMS, ids.units.SEAD], keepOpen: 'on', notify: 'on', expectedReturn: '2099-12-31' });
    expect(res.status).to.equal(302);
    expect(await states(p.id)).to.deep.equal([
      { acronym: 'SEAD', open: true, unread: true, list: 'received', received_by: null, expected_return: '2099-12-31' },
      { acronym: 'SEGOV', open: true, unread: false, list: 'created', received_by: null, expected_return: null },
      { acronym: 'SMS', open: true, unread: true, list: 'received', received_by: null, expected_return: '2099-12-31' },
    ]);
    const mails = await testEnv().sequelize.query<{ to_address: string; subject: string; text: string }>(
      'SELECT to_address, subject, text FROM platform.outbox WHERE tenant_id = $1 ORDER BY to_address',
      { bind: [t.tenant.id], type: QueryTypes.SELECT },
    );
    expect(mails.map((m) => m.to_address)).to.deep.equal([emailOf(t, 'ana'), emailOf(t, 'samuel'), emailOf(t, 'sofia')]);
    expect(mails[0].subject).to.equal(`Processo ${p.number} recebido na unidade SEAD`);
    expect(mails[0].text).to.contain(`/processos/${p.id}`);
    const history = $((await clerk.get(`/processos/${p.id}`)).text)('[data-testid="history"]').text();
    expect(history).to.contain('Processo enviado para as unidades SEAD, SMS, com retorno programado para 31/12/2099 (mantido aberto na unidade)');
  });

  it('shows the process unread (red, bold, labelled "não lido") in the target inbox; the first opening receives it', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const p = await createViaHttp(clerk);
    await send(clerk, p.id, { units: [ids.units.SMS], keepOpen: 'on' });
    const sofia = await loggedIn(t, 'sofia');
    const inbox = $((await sofia.get('/').expect(200)).text);
    const row = inbox(`[data-testid="list-received"] tr[data-process-id="${p.id}"]`);
    expect(row.hasClass('app-unread')).to.equal(true);
    expect(row.find('.sr-only').text()).to.contain('não lido');
    expect(row.text()).to.contain('de SEGOV');
    const page = $((await sofia.get(`/processos/${p.id}`).expect(200)).text);
    expect(page('[data-testid="received"]').text()).to.contain('Processo recebido na unidade SMS');
    const sms = (await states(p.id)).find((s) => s.acronym === 'SMS');
    expect(sms).to.include({ unread: false, received_by: 'Sofia da Saúde' });
    const again = $((await sofia.get('/').expect(200)).text);
    expect(again(`tr[data-process-id="${p.id}"]`).hasClass('app-unread')).to.equal(false);
    expect(page('[data-testid="history"]').text()).to.contain('Processo recebido na unidade');
  });

  it('records one receipt when two users of the unit open it at the same time', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const p = await createViaHttp(clerk);
    await send(clerk, p.id, { units: [ids.units.SMS], keepOpen: 'on' });
    const [sofia, samuel] = await Promise.all([loggedIn(t, 'sofia'), loggedIn(t, 'samuel')]);
    const pages = await Promise.all([sofia.get(`/processos/${p.id}`), samuel.get(`/processos/${p.id}`), sofia.get(`/processos/${p.id}`), samuel.get(`/processos/${p.id}`)]);
    pages.forEach((r) => expect(r.status).to.equal(200));
    const receipts = await tenantQuery<{ n: string }>(t, "SELECT count(*) AS n FROM process_events WHERE process_id = $1 AND kind = 'received'", [p.id]);
    expect(Number(receipts[0].n)).to.equal(1);
    expect(pages.filter((r) => $(r.text)('[data-testid="received"]').length).length).to.equal(1);
  });

  it('concludes it in the sender when sent without "manter aberto"', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const p = await createViaHttp(clerk);
    const res = await send(clerk, p.id, { units: [ids.units.SMS] });
    expect(res.headers.location).to.equal('/');
    const segov = (await states(p.id)).find((s) => s.acronym === 'SEGOV');
    expect(segov?.open).to.equal(false);
    const page = $((await clerk.get(`/processos/${p.id}`)).text);
    expect(page('[data-testid="open-units"]').text().trim()).to.equal('SMS');
    expect(page('form[action$="/reabrir"]').length).to.equal(1);
    expect(page('a[href$="/enviar"]').length).to.equal(0);
  });

  it('refuses sending with no target, to the current unit, to a past date, or from a unit where it is not open', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const p = await createViaHttp(clerk);
    const none = await send(clerk, p.id, {});
    expect(none.status).to.equal(422);
    expect($(none.text)('#units-error').text()).to.contain('ao menos uma unidade');
    const self = await postForm(clerk, `/processos/${p.id}/enviar`, `/processos/${p.id}/enviar`, { units: ids.units.SEGOV });
    expect(self.status).to.equal(422);
    const past = await send(clerk, p.id, { units: ids.units.SMS, expectedReturn: '2000-01-01' });
    expect(past.status).to.equal(422);
    expect($(past.text)('#expectedReturn-error').text()).to.contain('data passada');
    const sofia = await loggedIn(t, 'sofia');
    const csrf = csrfFrom((await sofia.get('/').expect(200)).text);
    const foreign = await sofia.post(`/processos/${p.id}/enviar`).type('form').send({ _csrf: csrf, units: ids.units.SEAD });
    expect(foreign.status).to.equal(403);
    expect((await states(p.id)).map((s) => s.acronym)).to.deep.equal(['SEGOV']);
  });

  it('concludes here and reopens in a unit it has passed through; a unit it never reached cannot reopen it', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const p = await createViaHttp(clerk);
    await send(clerk, p.id, { units: ids.units.SMS, keepOpen: 'on' });
    const concluded = await postForm(clerk, `/processos/${p.id}`, `/processos/${p.id}/concluir`, {});
    expect(concluded.status).to.equal(302);
    expect((await states(p.id)).find((s) => s.acronym === 'SEGOV')?.open).to.equal(false);
    const again = await postForm(clerk, `/processos/${p.id}`, `/processos/${p.id}/concluir`, {});
    expect(again.status).to.equal(403);
    const reopened = await postForm(clerk, `/processos/${p.id}`, `/processos/${p.id}/reabrir`, {});
    expect(reopened.status).to.equal(302);
    expect((await states(p.id)).find((s) => s.acronym === 'SEGOV')?.open).to.equal(true);
    const ana = await loggedIn(t, 'ana');
    const csrf = csrfFrom((await ana.get('/').expect(200)).text);
    expect((await ana.post(`/processos/${p.id}/reabrir`).type('form').send({ _csrf: csrf })).status).to.equal(403);
    const history = $((await clerk.get(`/processos/${p.id}?historico=completo`)).text)('[data-testid="history"]').text();
    expect(history).to.contain('Processo reaberto na unidade');
    expect(history).to.contain('Processo concluído na unidade');
  });

  it('batch: concludes the selected processes, and sends several at once', async () => {
    const clerk = await loggedIn(t, 'colega');
    const a = await createViaHttp(clerk);
    const b = await createViaHttp(clerk);
    const inbox = await clerk.get('/').expect(200);
    const res = await clerk.post('/controle-de-processos/lote').type('form').send({ _csrf: csrfFrom(inbox.text), ids: [a.id, b.id], action: 'conclude' });
    expect(res.status).to.equal(302);
    expect((await states(a.id))[0].open).to.equal(false);
    expect((await states(b.id))[0].open).to.equal(false);
    expect($((await clerk.get('/')).text)('[data-testid="flash"]').text()).to.contain('2 processos concluídos');

    const c = await createViaHttp(clerk);
    const d = await createViaHttp(clerk);
    const toSend = await clerk.post('/controle-de-processos/lote').type('form').send({ _csrf: csrfFrom(inbox.text), ids: [c.id, d.id], action: 'send' });
    expect(toSend.headers.location).to.equal(`/processos/enviar?ids=${c.id}&ids=${d.id}`);
    const form = await clerk.get(String(toSend.headers.location)).expect(200);
    expect($(form.text)('h1').text()).to.equal('Enviar processos');
    const sent = await clerk.post('/processos/enviar').type('form').send({ _csrf: csrfFrom(form.text), ids: [c.id, d.id], units: ids.units.SEAD });
    expect(sent.status).to.equal(302);
    for (const x of [c, d]) expect((await states(x.id)).map((s) => [s.acronym, s.open])).to.deep.equal([['SEAD', true], ['SEGOV', false]]);
  });

  it('refuses a batch with nothing selected', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const inbox = await clerk.get('/').expect(200);
    const res = await clerk.post('/controle-de-processos/lote').type('form').send({ _csrf: csrfFrom(inbox.text), action: 'conclude' });
    expect(res.status).to.equal(422);
  });

  it('lets the origin see the state after the target concludes', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const p = await createViaHttp(clerk);
    await send(clerk, p.id, { units: [ids.units.SMS, ids.units.SEAD], keepOpen: 'on' });
    const sofia = await loggedIn(t, 'sofia');
    await postForm(sofia, `/processos/${p.id}`, `/processos/${p.id}/concluir`, {});
    const page = $((await clerk.get(`/processos/${p.id}`)).text);
    expect(page('[data-testid="open-units"] .br-tag').map((_, el) => page(el).text()).get()).to.deep.equal(['SEAD', 'SEGOV']);
    expect(page('[data-testid="history"]').text()).to.contain('Processo concluído na unidade');
  });
});
