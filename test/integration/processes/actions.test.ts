import { expect } from 'chai';
import { $, csrfFrom, postForm } from '../../support/http';
import { createViaHttp, emailOf, loggedIn, processTenant } from '../../support/processes-http';
import { idsOf, tenantQuery, type TenantIds } from '../../support/processes';
import type { TestTenant } from '../../support/tenants';

describe('Integration - processes/actions (atribuir, relacionar, anexar, sobrestar, alterar)', () => {
  let t: TestTenant;
  let ids: TenantIds;

  before(async () => {
    t = await processTenant();
    ids = await idsOf(t);
  });

  const act = (agent: Awaited<ReturnType<typeof loggedIn>>, id: string, action: string, fields: Record<string, string> = {}) =>
    postForm(agent, `/processos/${id}`, `/processos/${id}/${action}`, fields);

  it('assigns to a user of the unit, removes the assignment, and refuses a user of another unit', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const p = await createViaHttp(clerk);
    expect((await act(clerk, p.id, 'atribuir', { assignee: ids.users[emailOf(t, 'colega')] })).status).to.equal(302);
    let page = $((await clerk.get(`/processos/${p.id}`)).text);
    expect(page('[data-testid="assignee"]').text()).to.equal('Colega do Governo');
    const inbox = $((await (await loggedIn(t, 'colega')).get('/?atribuidos=1')).text);
    expect(inbox(`[data-testid="list-created"] tr[data-process-id="${p.id}"]`).text()).to.contain('Colega do Governo');
    const refused = await act(clerk, p.id, 'atribuir', { assignee: ids.users[emailOf(t, 'sofia')] });
    expect(refused.status).to.equal(422);
    expect($(refused.text)('#error-summary').text()).to.contain('usuário ativo da unidade atual');
    await act(clerk, p.id, 'atribuir', { assignee: '' });
    page = $((await clerk.get(`/processos/${p.id}`)).text);
    expect(page('[data-testid="assignee"]').text()).to.equal('Ninguém');
  });

  it('relates two processes (both show the link), refuses a duplicate or unknown number, and removes the link', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const a = await createViaHttp(clerk);
    const b = await createViaHttp(clerk);
    expect((await act(clerk, a.id, 'relacionar', { number: b.number, form: 'relate' })).status).to.equal(302);
    expect($((await clerk.get(`/processos/${b.id}`)).text)('[data-testid="relations"]').text()).to.contain(a.number);
    expect($((await clerk.get(`/processos/${a.id}`)).text)('[data-testid="relations"]').text()).to.contain(b.number);
    const dup = await act(clerk, b.id, 'relacionar', { number: a.number, form: 'relate' });
    expect(dup.status).to.equal(422);
    expect($(dup.text)('#number-error').text()).to.contain('já estão relacionados');
    const unknown = await act(clerk, a.id, 'relacionar', { number: '12345.000123/2025-95', form: 'relate' });
    expect($(unknown.text)('#number-error').text()).to.contain('Nenhum processo encontrado');
    expect((await act(clerk, b.id, `relacionamentos/${a.id}/remover`)).status).to.equal(302);
    expect($((await clerk.get(`/processos/${a.id}`)).text)('[data-testid="relations"]').length).to.equal(0);
  });

  it('annexes a newer process into an older one permanently: closed everywhere, read inside the parent', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const older = await createViaHttp(clerk);
    const newer = await createViaHttp(clerk);
    expect((await act(clerk, older.id, 'anexar', { number: newer.number, form: 'annex' })).status).to.equal(302);
    const parent = $((await clerk.get(`/processos/${older.id}`)).text);
    expect(parent('[data-testid="annexes"]').text()).to.contain(newer.number);
    const child = $((await clerk.get(`/processos/${newer.id}`)).text);
    expect(child('[data-testid="process-header"]').text()).to.contain(`Anexado ao processo${older.number}`);
    expect(child('.app-actions form, .app-actions a').length).to.equal(0);
    const [row] = await tenantQuery<{ annexed_to_id: string; open: boolean }>(t, 'SELECT p.annexed_to_id, pu.open FROM processes p JOIN process_units pu ON pu.process_id = p.id WHERE p.id = $1', [newer.id]);
    expect(row).to.deep.equal({ annexed_to_id: older.id, open: false });
  });

  it('refuses to annex an older process, one open in another unit, or a sigiloso one', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const older = await createViaHttp(clerk);
    const newer = await createViaHttp(clerk);
    const backwards = await act(clerk, newer.id, 'anexar', { number: older.number, form: 'annex' });
    expect($(backwards.text)('#number-error').text()).to.contain('mais novo');
    await postForm(clerk, `/processos/${newer.id}/enviar`, `/processos/${newer.id}/enviar`, { units: ids.units.SMS, keepOpen: 'on' });
    const elsewhere = await act(clerk, older.id, 'anexar', { number: newer.number, form: 'annex' });
    expect($(elsewhere.text)('#number-error').text()).to.contain('somente na unidade atual');
    const secret = await createViaHttp(clerk, { accessLevel: 'secret', legalBasisId: '1', secrecyGrade: 'reservado' }, ids.types['Processo administrativo disciplinar']);
    const refused = await act(clerk, older.id, 'anexar', { number: secret.number, form: 'annex' });
    expect($(refused.text)('#number-error').text()).to.contain('sigilosos');
    const [row] = await tenantQuery<{ n: string }>(t, 'SELECT count(*) AS n FROM processes WHERE annexed_to_id = $1', [older.id]);
    expect(Number(row.n)).to.equal(0);
  });

  it('suspends with a reason only when open only here, blocks sending while suspended, and resumes', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const p = await createViaHttp(clerk);
    const noReason = await act(clerk, p.id, 'sobrestar', { reason: ' ' });
    expect(noReason.status).to.equal(422);
    expect($(noReason.text)('#reason-error').text()).to.contain('motivo');
    expect((await act(clerk, p.id, 'sobrestar', { reason: 'Aguardando parecer jurídico' })).status).to.equal(302);
    const page = $((await clerk.get(`/processos/${p.id}`)).text);
    expect(page('[data-testid="process-header"]').text()).to.contain('Aguardando parecer jurídico');
    expect(page('a[href$="/enviar"]').length).to.equal(0);
    expect((await clerk.post(`/processos/${p.id}/enviar`).type('form').send({ _csrf: csrfFrom(page.html()), units: ids.units.SMS })).status).to.equal(403);
    expect((await act(clerk, p.id, 'remover-sobrestamento')).status).to.equal(302);
    const q = await createViaHttp(clerk);
    await postForm(clerk, `/processos/${q.id}/enviar`, `/processos/${q.id}/enviar`, { units: ids.units.SMS, keepOpen: 'on' });
    expect((await act(clerk, q.id, 'sobrestar', { reason: 'x' })).status).to.equal(403);
  });

  it('alters type, especificação, interessados and access level while open here, recording the change', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const p = await createViaHttp(clerk);
    const form = await clerk.get(`/processos/${p.id}/alterar`).expect(200);
    expect($(form.text)('#specification').val()).to.equal('Compra de material de escritório');
    const res = await clerk
      .post(`/processos/${p.id}/alterar`)
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        processTypeId: ids.types['Requerimento geral'],
        specification: 'Pedido de informação',
        partyName0: 'João Pereira',
        partyDocument0: '',
        accessLevel: 'restricted',
        legalBasisId: '1',
      });
    expect(res.status).to.equal(302);
    const page = $((await clerk.get(`/processos/${p.id}`)).text);
    expect(page('[data-testid="process-header"]').text()).to.contain('Pedido de informação');
    const history = page('[data-testid="history"]').text();
    expect(history).to.contain('tipo de "Licitação: pregão eletrônico" para "Requerimento geral"');
    expect(history).to.contain('nível de acesso de público para restrito');
    expect(history).to.contain('interessados para João Pereira');
    const bad = await clerk.post(`/processos/${p.id}/alterar`).type('form').send({ _csrf: csrfFrom(form.text), processTypeId: ids.types['Requerimento geral'], specification: '', partyName0: 'João', accessLevel: 'restricted', legalBasisId: '1' });
    expect(bad.status).to.equal(422);
    const sofia = await loggedIn(t, 'sofia');
    expect((await sofia.get(`/processos/${p.id}/alterar`)).status).to.be.oneOf([403, 404]);
  });

  it('keeps andamentos immutable in the database', async () => {
    let error: unknown;
    try {
      await tenantQuery(t, "UPDATE process_events SET description = 'x'");
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.contain('andamentos são imutáveis');
  });

  it('shows the resumido history by default and the completo one on request', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const p = await createViaHttp(clerk);
    await act(clerk, p.id, 'atribuir', { assignee: ids.users[emailOf(t, 'colega')] });
    const short = $((await clerk.get(`/processos/${p.id}`)).text)('[data-testid="history"]').text();
    const full = $((await clerk.get(`/processos/${p.id}?historico=completo`)).text)('[data-testid="history"]').text();
    expect(short).to.not.contain('atribuído a Colega');
    expect(full).to.contain('Processo atribuído a Colega do Governo');
  });
});
