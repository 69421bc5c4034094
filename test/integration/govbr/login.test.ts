import crypto from 'node:crypto';
import { expect } from 'chai';
import { Router } from 'express';
import request from 'supertest';
import { createApp } from '../../../server/app';
import { LoginThrottle } from '../../../server/auth/loginThrottle';
import { freePort } from '../../../server/db/throwaway';
import { GovbrTicketError, type GovbrService } from '../../../server/govbr/service';
import { Operator, TenantAuditEntry, User } from '../../../server/models';
import { inTenant, runWithTenant } from '../../../server/tenancy/context';
import { platformUrl } from '../../../server/tenancy/urls';
import { testEnv } from '../../support/environment';
import { appWithGovbr, appWithGovbrService, govbrServiceFor, randomCpf, type GovbrAccount, type GovbrTestProvider } from '../../support/govbr';
import { $, agentFor, csrfFrom, login, type Agent } from '../../support/http';
import { createTestTenant, TEST_PASSWORD, type TestTenant } from '../../support/tenants';

const PLATFORM = 'localhost';

describe('Integration - govbr/login (gov.br Login Único against a real OpenID Connect provider)', () => {
  let provider: GovbrTestProvider;
  let govbr: GovbrService;
  let app: ReturnType<typeof createApp>;
  let angra: TestTenant;
  let maranhao: TestTenant;
  let clara: GovbrAccount;
  let operator: GovbrAccount;
  let stranger: GovbrAccount;
  let citizen: GovbrAccount;

  /** The portal's two steps, as the Protocolo portal calls them (begin, then redeem on return). */
  const portal = Router();
  portal.get('/teste-portal/entrar', async (req, res) => res.redirect(await govbr.begin(req, 'citizen', '/teste-portal/retorno', '/teste-portal')));
  portal.get('/teste-portal/retorno', async (req, res) => {
    try {
      const { identity, nextPath } = await govbr.redeem(req, 'citizen');
      res.json({ identity, nextPath });
    } catch (err) {
      if (err instanceof GovbrTicketError) return res.status(400).json({ problem: err.problem });
      throw err;
    }
  });

  before(async () => {
    ({ provider, govbr, app } = await appWithGovbr({ tenant: portal }));
    clara = provider.add({ cpf: randomCpf(), name: 'Clara Servidora', email: 'clara@gov.test', emailVerified: true, levels: ['1', '2'] });
    operator = provider.add({ cpf: randomCpf(), name: 'Otávio Operador', email: 'otavio@mgi.test', emailVerified: true, levels: ['3'] });
    stranger = provider.add({ cpf: randomCpf(), name: 'Sem Cadastro', email: 'ninguem@gov.test', emailVerified: false, levels: [] });
    citizen = provider.add({ cpf: randomCpf(), name: 'Cidadã Maria', email: 'Maria@Exemplo.test', emailVerified: true, levels: ['1', '2', '3'] });
    angra = await createTestTenant({
      users: [
        { name: 'Clara Servidora', email: `clara-${crypto.randomBytes(3).toString('hex')}@angra.test`, cpf: clara.cpf, units: [{ acronym: 'SEGOV', role: 'basic' }] },
        { name: 'Servidor sem CPF', email: `sem-cpf-${crypto.randomBytes(3).toString('hex')}@angra.test`, units: [{ acronym: 'SEGOV', role: 'basic' }] },
      ],
    });
    maranhao = await createTestTenant();
    await Operator.create({ email: `otavio-${crypto.randomBytes(3).toString('hex')}@mgi.test`, name: 'Otávio Operador', passwordHash: 'x', cpf: operator.cpf });
  });
  after(() => provider.stop());

  const agent = (host: string): Agent => agentFor(host, app);

  /** Starts at `start` on `a`'s host, signs in at the provider and answers the platform callback's redirect. */
  async function throughProvider(a: Agent, start: string, account: GovbrAccount): Promise<{ callback: URL; ticketUrl: URL }> {
    const begun = await a.get(start).expect(302);
    expect(begun.headers.location).to.match(new RegExp(`^${provider.issuer}/auth\\?`));
    const auth = new URL(begun.headers.location);
    expect(auth.searchParams.get('scope')).to.equal('openid email profile govbr_confiabilidades');
    expect(auth.searchParams.get('code_challenge_method')).to.equal('S256');
    expect(auth.searchParams.get('state')).to.have.length.greaterThan(20);
    expect(auth.searchParams.get('nonce')).to.have.length.greaterThan(20);
    const callback = await provider.signIn(begun.headers.location, account.cpf);
    expect(callback.pathname).to.equal('/entrar/govbr/retorno');
    const done = await request(app).get(`${callback.pathname}${callback.search}`).set('Host', PLATFORM).expect(302);
    return { callback, ticketUrl: new URL(done.headers.location) };
  }

  const pathOf = (u: URL) => `${u.pathname}${u.search}`;
  const ticketRows = async () => Number((await testEnv().sessionPool.query<{ n: string }>('SELECT count(*) AS n FROM platform.govbr_tickets')).rows[0].n);

  it('offers "Entrar com gov.br" beside e-mail and password when configured, and not otherwise', async () => {
    const page = $((await agent(angra.host).get('/login').expect(200)).text);
    expect(page('[data-testid="govbr-login"]').attr('href')).to.equal('/entrar/govbr?next=%2F');
    expect(page('#email')).to.have.length(1);
    const plain = $((await agentFor(angra.host).get('/login').expect(200)).text);
    expect(plain('[data-testid="govbr-login"]')).to.have.length(0);
    await agentFor(angra.host).get('/entrar/govbr').expect(404);
  });

  it('logs a staff member in on their tenant host by the CPF in `sub`, through a ticket bound to that host', async () => {
    const a = agent(angra.host);
    const { ticketUrl } = await throughProvider(a, '/entrar/govbr?next=%2Fpesquisa', clara);
    expect(ticketUrl.hostname).to.equal(angra.host);
    expect(ticketUrl.pathname).to.equal('/entrar/govbr/concluir');
    const done = await a.get(pathOf(ticketUrl)).expect(302);
    expect(done.headers.location).to.equal('/pesquisa');
    const home = await a.get('/').expect(200);
    expect($(home.text)('h1').text()).to.equal('Controle de processos');
    const events = await runWithTenant(angra.tenant, () => inTenant(() => TenantAuditEntry.count({ where: { action: 'user.login.govbr' } })));
    expect(events).to.equal(1);
    // The session is this host's alone: the same cookie is anonymous on Maranhão.
    const cookie = String(([] as string[]).concat(done.headers['set-cookie'] ?? [])[0]).split(';')[0];
    await request(app).get('/').set('Host', maranhao.host).set('Cookie', cookie).expect(302);
  });

  it('logs an MGI operator in on the platform host by CPF', async () => {
    const a = agent(PLATFORM);
    const { ticketUrl } = await throughProvider(a, '/entrar/govbr?next=%2Fadmin', operator);
    expect(ticketUrl.hostname).to.equal(PLATFORM);
    const done = await a.get(pathOf(ticketUrl)).expect(302);
    expect(done.headers.location).to.equal('/admin');
    await a.get('/admin').expect(200);
  });

  it('gives the citizen portal the identity: CPF, name, e-mail confirmed by gov.br and the highest selo', async () => {
    const a = agent(angra.host);
    const { ticketUrl } = await throughProvider(a, '/teste-portal/entrar', citizen);
    expect(ticketUrl.pathname).to.equal('/teste-portal/retorno');
    const res = await a.get(pathOf(ticketUrl)).expect(200);
    expect(res.body).to.deep.equal({
      identity: { cpf: citizen.cpf, name: 'Cidadã Maria', email: 'maria@exemplo.test', emailVerified: true, trustLevel: 'ouro' },
      nextPath: '/teste-portal',
    });
    // A citizen ticket does not log anyone in as staff.
    await a.get('/').expect(302);
  });

  it('refuses a callback whose state was never issued, creating no ticket', async () => {
    const a = agent(angra.host);
    const begun = await a.get('/entrar/govbr').expect(302);
    const callback = await provider.signIn(begun.headers.location, clara.cpf);
    const before = await ticketRows();
    callback.searchParams.set('state', 'estado-forjado-que-nunca-foi-emitido');
    const res = await request(app).get(pathOf(callback)).set('Host', PLATFORM).expect(400);
    expect($(res.text)('[data-testid="govbr-problem"]').text()).to.contain('não corresponde a um acesso iniciado aqui');
    expect(await ticketRows()).to.equal(before);
  });

  it('refuses a replayed callback (its state is spent), and the provider refuses the code a second time', async () => {
    const a = agent(angra.host);
    const begun = await a.get('/entrar/govbr').expect(302);
    const callback = await provider.signIn(begun.headers.location, clara.cpf);
    await request(app).get(pathOf(callback)).set('Host', PLATFORM).expect(302);
    const before = await ticketRows();
    const replay = await request(app).get(pathOf(callback)).set('Host', PLATFORM).expect(400);
    expect($(replay.text)('[data-testid="govbr-problem"]').text()).to.contain('já foi usado');
    expect(await ticketRows()).to.equal(before);
  });

  it('lets the relying party library refuse a code the provider already exchanged', async () => {
    const secrets = { state: 's'.repeat(43), nonce: 'n'.repeat(43), codeVerifier: 'v'.repeat(43) };
    const url = await govbr.client.authorizationUrl(secrets);
    const callback = await provider.signIn(url.href, clara.cpf);
    expect((await govbr.client.identity(callback, secrets)).cpf).to.equal(clara.cpf);
    let refused: unknown;
    await govbr.client.identity(callback, secrets).catch((err: unknown) => (refused = err));
    expect((refused as Error).constructor.name).to.equal('GovbrRejectedError');
  });

  it('refuses a ticket replayed on another tenant\'s host, and burns it', async () => {
    const a = agent(angra.host);
    const { ticketUrl } = await throughProvider(a, '/entrar/govbr', clara);
    const elsewhere = agent(maranhao.host);
    await elsewhere.get('/login').expect(200);
    const res = await elsewhere.get(pathOf(ticketUrl)).expect(400);
    expect($(res.text)('[data-testid="govbr-problem"]').text()).to.contain('não é válido aqui');
    await elsewhere.get('/').expect(302);
    // Spent by the attempt: the rightful browser must sign in again.
    await a.get(pathOf(ticketUrl)).expect(400);
    await a.get('/').expect(302);
  });

  it('refuses a ticket presented by another browser on the same host', async () => {
    const a = agent(angra.host);
    const { ticketUrl } = await throughProvider(a, '/entrar/govbr', clara);
    await agent(angra.host).get(pathOf(ticketUrl)).expect(400);
  });

  it('refuses an expired ticket with its own message', async () => {
    const a = agent(angra.host);
    const { ticketUrl } = await throughProvider(a, '/entrar/govbr', clara);
    const hash = crypto.createHash('sha256').update(ticketUrl.searchParams.get('ticket')!).digest('hex');
    await testEnv().sessionPool.query("UPDATE platform.govbr_tickets SET expires_at = now() - interval '1 second' WHERE token_hash = $1", [hash]);
    const res = await a.get(pathOf(ticketUrl)).expect(410);
    expect($(res.text)('[data-testid="govbr-problem"]').text()).to.contain('expirou');
    await a.get('/').expect(302);
  });

  it('answers "seu CPF não está cadastrado neste órgão" for an unknown CPF, creating nobody', async () => {
    const count = () => runWithTenant(angra.tenant, () => inTenant(() => User.count()));
    const before = await count();
    const a = agent(angra.host);
    const { ticketUrl } = await throughProvider(a, '/entrar/govbr', stranger);
    const res = await a.get(pathOf(ticketUrl)).expect(403);
    expect($(res.text)('[data-testid="govbr-problem"]').text()).to.equal('Seu CPF não está cadastrado neste órgão.');
    expect(await count()).to.equal(before);
    await a.get('/').expect(302);
  });

  it('does not log a staff member of Angra in on Maranhão (CPF unknown there)', async () => {
    const a = agent(maranhao.host);
    const { ticketUrl } = await throughProvider(a, '/entrar/govbr', clara);
    await a.get(pathOf(ticketUrl)).expect(403);
  });

  it('counts gov.br failures in the login throttle', async () => {
    // A tenant of its own: the throttle's counts live in the database, per tenant and IP.
    const fresh = await createTestTenant();
    const throttled = createApp({ ...testEnv(), loginThrottle: new LoginThrottle(testEnv().sequelize, { perAccount: 2, perIp: 1000, windowSeconds: 60 }), govbr }, testEnv().sessionPool);
    const a = agentFor(fresh.host, throttled);
    const bogus = `/entrar/govbr/concluir?ticket=${'x'.repeat(43)}`;
    await a.get(bogus).expect(400);
    await a.get(bogus).expect(400);
    const blocked = await a.get('/entrar/govbr').expect(429);
    expect(blocked.headers['retry-after']).to.match(/^\d+$/);
  });

  it('says gov.br is down when the provider does not answer, and password login still works', async () => {
    const closed = await freePort();
    const down = appWithGovbrService(govbrServiceFor(`http://127.0.0.1:${closed}`));
    const a = agentFor(angra.host, down);
    const res = await a.get('/entrar/govbr').expect(503);
    expect($(res.text)('[data-testid="govbr-problem"]').text()).to.contain('O gov.br não respondeu');
    expect((await login(a, angra.clerk.email, TEST_PASSWORD)).status).to.equal(302);
    await a.get('/').expect(200);
  });

  it('ends the local session at logout and links to gov.br\'s end-session', async () => {
    const a = agent(angra.host);
    const { ticketUrl } = await throughProvider(a, '/entrar/govbr', clara);
    await a.get(pathOf(ticketUrl)).expect(302);
    const home = await a.get('/').expect(200);
    const out = await a.post('/logout').type('form').send({ _csrf: csrfFrom(home.text) }).expect(302);
    expect(out.headers.location).to.equal('/login?saiu=govbr');
    await a.get('/').expect(302);
    const page = $((await a.get('/login?saiu=govbr').expect(200)).text);
    const link = new URL(page('a:contains("sair também do gov.br")').attr('href')!);
    expect(link.origin).to.equal(provider.issuer);
    expect(link.searchParams.get('post_logout_redirect_uri')).to.equal(platformUrl(testEnv().config, '/'));
  });

  it('refuses a malformed gov.br ticket or callback with 400, never 500', async () => {
    await agent(angra.host).get('/entrar/govbr/concluir?ticket=abc').expect(400);
    await agent(angra.host).get('/entrar/govbr/concluir').expect(400);
    await request(app).get('/entrar/govbr/retorno').set('Host', PLATFORM).expect(400);
    await request(app).get('/entrar/govbr/retorno?state[]=x').set('Host', PLATFORM).expect(400);
  });
});
