import os from 'node:os';
import { expect } from 'chai';
import { createTransport } from '../../../server/mail/transport';
import { OutboxWorker } from '../../../server/mail/worker';
import { OutboxMessage } from '../../../server/models';
import { testEnv } from '../../support/environment';
import { $, agentFor, csrfFrom, login } from '../../support/http';
import { SmtpPeer } from '../../support/smtp';
import { createTestTenant, type TestTenant } from '../../support/tenants';

async function ask(t: TestTenant, email: string) {
  const agent = agentFor(t.host);
  const login = await agent.get('/login').expect(200);
  expect($(login.text)('a[href="/esqueci-minha-senha"]').text()).to.equal('Esqueci minha senha');
  const page = await agent.get('/esqueci-minha-senha').expect(200);
  return agent.post('/esqueci-minha-senha').type('form').send({ _csrf: csrfFrom(page.text), email });
}

describe('Integration - people/esqueci minha senha', () => {
  let t: TestTenant;
  before(async () => {
    t = await createTestTenant();
  });
  after(async () => {
    // The per-IP counter is shared by every test of the run (all from 127.0.0.1).
    await testEnv().sequelize.query(`DELETE FROM platform.rate_limits WHERE key LIKE 'reset-%'`);
  });

  it('delivers a reset link through SMTP that sets a new password once', async () => {
    const peer = new SmtpPeer();
    await peer.start();
    const worker = new OutboxWorker(testEnv().sequelize, createTransport(peer.url, os.tmpdir()), { from: 'PEN Nuvem <nao-responda@pen.gov.br>' });
    try {
      await ask(t, t.clerk.email);
      await worker.deliverDue();
      const mail = await peer.waitFor(t.clerk.email, /^Redefinição de senha/);
      const link = new URL(/http:\/\/\S+\/definir-senha\?token=[A-Za-z0-9_-]+/.exec(mail.text ?? '')![0]);
      const agent = agentFor(t.host);
      const page = await agent.get(link.pathname + link.search).expect(200);
      expect($(page.text)('h1').text()).to.equal('Crie uma nova senha');
      const token = link.searchParams.get('token');
      await agent.post('/definir-senha').type('form').send({ _csrf: csrfFrom(page.text), token, password: 'Redefinida2026', confirmation: 'Redefinida2026' }).expect(302);
      expect((await login(agentFor(t.host), t.clerk.email, 'Redefinida2026')).status).to.equal(302);
      await agentFor(t.host).get(link.pathname + link.search).expect(410);
    } finally {
      await worker.stop();
      await peer.stop();
    }
  });

  it('answers the same page and status whether or not the e-mail exists, and e-mails only a real user', async () => {
    const known = await ask(t, t.clerk.email);
    const unknown = await ask(t, 'ninguem@nada.test');
    expect(known.status).to.equal(200);
    expect(unknown.status).to.equal(known.status);
    const body = (html: string, email: string): string => $(html)('#main-content').html()!.replaceAll(email, 'EMAIL');
    expect(body(unknown.text, 'ninguem@nada.test')).to.equal(body(known.text, t.clerk.email));
    expect(await OutboxMessage.count({ where: { toAddress: 'ninguem@nada.test' } })).to.equal(0);
    const mail = await OutboxMessage.findOne({ where: { toAddress: t.clerk.email } });
    expect(mail?.subject).to.match(/^Redefinição de senha/);
  });

  it('sends nothing to a deactivated user, with the same answer', async () => {
    const { sequelize } = testEnv();
    await sequelize.query(`UPDATE "${t.tenant.schema}".users SET active = false WHERE email = $1`, { bind: [t.admin.email] });
    const res = await ask(t, t.admin.email);
    expect(res.status).to.equal(200);
    expect($(res.text)('[data-testid="reset-requested"]').length).to.equal(1);
    expect(await OutboxMessage.count({ where: { toAddress: t.admin.email } })).to.equal(0);
  });

  it('explains an empty or malformed e-mail next to the field', async () => {
    const res = await ask(t, 'nao-e-email');
    expect(res.status).to.equal(422);
    expect($(res.text)('#email-error').text()).to.contain('Informe o e-mail');
  });

  it('limits requests per e-mail silently (same answer, no more messages) and per IP with a 429', async () => {
    const before = await OutboxMessage.count({ where: { toAddress: t.clerk.email } });
    for (let i = 0; i < 3; i++) expect((await ask(t, t.clerk.email)).status).to.equal(200);
    expect(await OutboxMessage.count({ where: { toAddress: t.clerk.email } })).to.equal(before + 1);
    let last = 200;
    for (let i = 0; i < 20 && last !== 429; i++) last = (await ask(t, `pessoa${i}@nada.test`)).status;
    expect(last).to.equal(429);
  });
});
