import { expect } from 'chai';
import { $, csrfFrom, postForm } from '../../support/http';
import { createViaHttp, emailOf, loggedIn, processTenant } from '../../support/processes-http';
import { idsOf, tenantQuery, type TenantIds } from '../../support/processes';
import { createTestTenant, type TestTenant } from '../../support/tenants';
import { loggedInAs } from '../../support/fixtures';

describe('Integration - processes/access (público, restrito, sigiloso, credenciais)', () => {
  let t: TestTenant;
  let ids: TenantIds;

  before(async () => {
    t = await processTenant();
    ids = await idsOf(t);
  });

  const secretFields = () => ({ accessLevel: 'secret', legalBasisId: '1', secrecyGrade: 'secreto' });

  it('público: a user of any unit reads it', async () => {
    const p = await createViaHttp(await loggedIn(t, 'servidor'));
    const page = $((await (await loggedIn(t, 'ana')).get(`/processos/${p.id}`).expect(200)).text);
    expect(page('[data-testid="process-header"]').text()).to.contain('Papelaria Central Ltda');
  });

  it('restrito: found by number anywhere, but content only in units it passed through', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const p = await createViaHttp(clerk, { accessLevel: 'restricted', legalBasisId: '1', partyName0: 'Cidadã Sigilosa' });
    const ana = await loggedIn(t, 'ana');
    const found = await ana.get(`/processos/numero?numero=${encodeURIComponent(p.number)}`);
    expect(found.status).to.equal(302);
    const page = await ana.get(`/processos/${p.id}`).expect(200);
    expect($(page.text)('[data-testid="restricted-notice"]').length).to.equal(1);
    expect(page.text).to.not.contain('Cidadã Sigilosa');
    expect(page.text).to.not.contain('Compra de material de escritório');
    expect($(page.text)('[data-testid="history"]').length).to.equal(0);
    await postForm(clerk, `/processos/${p.id}/enviar`, `/processos/${p.id}/enviar`, { units: ids.units.SEAD, keepOpen: 'on' });
    const after = await ana.get(`/processos/${p.id}`).expect(200);
    expect(after.text).to.contain('Cidadã Sigilosa');
  });

  it('sigiloso: a guessed URL, the number lookup and the inbox reveal nothing without a credential', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const p = await createViaHttp(clerk, secretFields(), ids.types['Processo administrativo disciplinar']);
    const colleague = await loggedIn(t, 'colega');
    const guessed = await colleague.get(`/processos/${p.id}`);
    expect(guessed.status).to.equal(404);
    expect(guessed.text).to.not.contain(p.number);
    expect(guessed.text).to.not.contain('Papelaria');
    expect((await colleague.get(`/processos/numero?numero=${encodeURIComponent(p.number)}`)).status).to.equal(404);
    const inbox = await colleague.get('/').expect(200);
    expect(inbox.text).to.not.contain(p.number);
    expect((await colleague.post(`/processos/${p.id}/concluir`).type('form').send({ _csrf: csrfFrom(inbox.text) })).status).to.equal(404);
    expect((await clerk.get('/')).text).to.contain(p.number);
  });

  it('grants a credential (the user then sees it) and revokes it (hidden again), recorded in the audit log', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const p = await createViaHttp(clerk, secretFields(), ids.types['Processo administrativo disciplinar']);
    const unknown = await postForm(clerk, `/processos/${p.id}`, `/processos/${p.id}/credenciais`, { email: 'ninguem@x.test' });
    expect(unknown.status).to.equal(422);
    expect((await postForm(clerk, `/processos/${p.id}`, `/processos/${p.id}/credenciais`, { email: emailOf(t, 'colega') })).status).to.equal(302);
    const colleague = await loggedIn(t, 'colega');
    expect((await colleague.get(`/processos/${p.id}`)).status).to.equal(200);
    const page = $((await clerk.get(`/processos/${p.id}`)).text);
    expect(page('[data-testid="credentials"]').text()).to.contain('Colega do Governo');
    const revokeAction = page('[data-testid="credentials"] form').attr('action') as string;
    expect((await postForm(clerk, `/processos/${p.id}`, revokeAction, {})).status).to.equal(302);
    expect((await colleague.get(`/processos/${p.id}`)).status).to.equal(404);
    const audit = await tenantQuery<{ action: string }>(t, "SELECT action FROM audit_log WHERE entity = 'process' AND entity_id = $1 ORDER BY id", [p.id]);
    expect(audit.map((a) => a.action)).to.deep.equal(['process.credential_granted', 'process.credential_revoked']);
  });

  it('refuses revoking one\'s own credential and granting one twice', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const p = await createViaHttp(clerk, secretFields(), ids.types['Processo administrativo disciplinar']);
    const [own] = await tenantQuery<{ id: string }>(t, 'SELECT id FROM access_credentials WHERE process_id = $1', [p.id]);
    expect((await postForm(clerk, `/processos/${p.id}`, `/processos/${p.id}/credenciais/${own.id}/cassar`, {})).status).to.equal(403);
    await postForm(clerk, `/processos/${p.id}`, `/processos/${p.id}/credenciais`, { email: emailOf(t, 'ana') });
    const twice = await postForm(clerk, `/processos/${p.id}`, `/processos/${p.id}/credenciais`, { email: emailOf(t, 'ana') });
    expect(twice.status).to.equal(422);
    expect($(twice.text)('#email-error').text()).to.contain('já tem credencial');
  });

  it('a credentialed user of another unit sees the sigiloso process there once it is sent', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const p = await createViaHttp(clerk, secretFields(), ids.types['Processo administrativo disciplinar']);
    await postForm(clerk, `/processos/${p.id}`, `/processos/${p.id}/credenciais`, { email: emailOf(t, 'sofia') });
    await postForm(clerk, `/processos/${p.id}/enviar`, `/processos/${p.id}/enviar`, { units: ids.units.SMS, keepOpen: 'on' });
    expect((await (await loggedIn(t, 'sofia')).get('/')).text).to.contain(p.number);
    expect((await (await loggedIn(t, 'samuel')).get('/')).text).to.not.contain(p.number);
    expect((await (await loggedIn(t, 'samuel')).get(`/processos/${p.id}`)).status).to.equal(404);
  });

  it('another tenant\'s user never reaches the process, whatever the id', async () => {
    const p = await createViaHttp(await loggedIn(t, 'servidor'));
    const other = await createTestTenant();
    const agent = await loggedInAs(other, 'clerk');
    const res = await agent.get(`/processos/${p.id}`);
    expect(res.status).to.equal(404);
    expect(res.text).to.not.contain(p.number);
  });

  it('answers 404 for a non-numeric or huge id', async () => {
    const agent = await loggedIn(t, 'servidor');
    expect((await agent.get('/processos/abc')).status).to.equal(404);
    expect((await agent.get('/processos/99999999999999999999')).status).to.equal(404);
  });
});
