import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { OutboxMessage, User, UserToken } from '../../../server/models';
import { sendPasswordLink } from '../../../server/people/invitations';
import { inTenant, runWithTenant } from '../../../server/tenancy/context';
import { testEnv } from '../../support/environment';
import { $, agentFor, csrfFrom } from '../../support/http';
import { createTestTenant, type TestTenant } from '../../support/tenants';

async function inviteClerk(t: TestTenant): Promise<string> {
  const { config } = testEnv();
  await runWithTenant(t.tenant, async () => {
    const user = await inTenant(() => User.findOne({ where: { email: t.clerk.email } }));
    await sendPasswordLink(config, user!, 'invite');
  });
  const msg = await OutboxMessage.findOne({ where: { toAddress: t.clerk.email, template: 'password-link' }, order: [['id', 'DESC']] });
  const link = /http:\/\/[^\s"]+definir-senha\?token=[A-Za-z0-9_-]+/.exec(msg!.text)?.[0];
  expect(link, 'link in the e-mail').to.be.a('string');
  return new URL(link!).pathname + new URL(link!).search;
}

describe('Integration - people/password links', () => {
  let t: TestTenant;
  before(async () => {
    t = await createTestTenant();
  });

  it('e-mails an invitation whose link sets the password and logs the user in', async () => {
    const path = await inviteClerk(t);
    const agent = agentFor(t.host);
    const page = await agent.get(path).expect(200);
    expect($(page.text)('h1').text()).to.equal('Defina a sua senha');
    const token = new URL(`http://x${path}`).searchParams.get('token');
    const res = await agent
      .post('/definir-senha')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), token, password: 'NovaSenha2026', confirmation: 'NovaSenha2026' })
      .expect(302);
    expect(res.headers.location).to.equal('/');
    const home = await agent.get('/').expect(200);
    expect($(home.text)('h1').text()).to.equal('Controle de processos');
    expect($(home.text)('[data-testid="current-unit"]').text()).to.equal('SEGOV');
  });

  it('refuses a link that was already used', async () => {
    const path = await inviteClerk(t);
    const agent = agentFor(t.host);
    const page = await agent.get(path).expect(200);
    const token = new URL(`http://x${path}`).searchParams.get('token');
    const form = { _csrf: csrfFrom(page.text), token, password: 'OutraSenha2026', confirmation: 'OutraSenha2026' };
    await agent.post('/definir-senha').type('form').send(form).expect(302);
    await agentFor(t.host).get(path).expect(410);
  });

  it('refuses an expired link', async () => {
    const path = await inviteClerk(t);
    await runWithTenant(t.tenant, () => inTenant(() => UserToken.update({ expiresAt: new Date(Date.now() - 1000) }, { where: { usedAt: null } })));
    const res = await agentFor(t.host).get(path).expect(410);
    expect($(res.text)('h1').text()).to.equal('Link inválido ou expirado');
  });

  it('keeps the form and explains a weak password next to the field, setting nothing', async () => {
    const path = await inviteClerk(t);
    const agent = agentFor(t.host);
    const page = await agent.get(path).expect(200);
    const token = new URL(`http://x${path}`).searchParams.get('token');
    const res = await agent
      .post('/definir-senha')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), token, password: 'curta', confirmation: 'curta' })
      .expect(422);
    expect($(res.text)('#password-error').text()).to.contain('pelo menos 10 caracteres');
    const [row] = await testEnv().sequelize.query<{ n: string }>(
      `SELECT count(*) AS n FROM "${t.tenant.schema}".user_tokens WHERE used_at IS NULL AND expires_at > now()`,
      { type: QueryTypes.SELECT },
    );
    expect(Number(row.n)).to.equal(1);
  });
});
