import { expect } from 'chai';
import request from 'supertest';
import { appWithGovbr, randomCpf, type AppWithGovbr, type GovbrAccount, type GovbrTestProvider } from '../../support/govbr';
import { $, agentFor, csrfFrom, type Agent } from '../../support/http';
import { clearProtocolLimits, identify, postRequestForm, serviceId, submitReviewed, tenantRows } from '../../support/protocol';
import { createTestTenant, type TestTenant } from '../../support/tenants';

const PLATFORM = 'localhost';

describe('Integration - protocol/govbr (the portal\'s sign-in with gov.br, against a real OpenID Connect provider)', () => {
  let provider: GovbrTestProvider;
  let app: AppWithGovbr;
  let t: TestTenant;
  let general: string;
  let strict: string;
  let ouro: GovbrAccount;
  let bronze: GovbrAccount;
  let unverified: GovbrAccount;

  before(async () => {
    ({ provider, app } = await appWithGovbr());
    ouro = provider.add({ cpf: randomCpf(), name: 'Cidadã Ouro', email: 'ouro@cidada.test', emailVerified: true, levels: ['1', '2', '3'] });
    bronze = provider.add({ cpf: randomCpf(), name: 'Cidadão Bronze', email: 'bronze@cidada.test', emailVerified: true, levels: ['1'] });
    unverified = provider.add({ cpf: randomCpf(), name: 'Sem E-mail Confirmado', email: 'talvez@cidada.test', emailVerified: false, levels: ['2'] });
    t = await createTestTenant();
    general = await serviceId(t);
    [{ id: strict }] = await tenantRows<{ id: string }>(
      t,
      `INSERT INTO tenant.citizen_services (name, fields, attachments, receiving_unit_id, process_type_id, access_level, status, min_trust_level)
       SELECT 'Certidão exigente', '[]', '[]', receiving_unit_id, process_type_id, 'public', 'published', 'prata' FROM tenant.citizen_services WHERE id = $1
       RETURNING id::text`,
      [general],
    );
  });
  beforeEach(clearProtocolLimits);
  after(async () => {
    await clearProtocolLimits();
    await provider.stop();
  });

  const agent = (): Agent => agentFor(t.host, app);

  /** Through the service page's "Entrar com gov.br", the provider's login and the platform callback, back on the tenant. */
  async function signIn(a: Agent, service: string, account: GovbrAccount): Promise<request.Response> {
    const page = $((await a.get(`/protocolo/servicos/${service}`).expect(200)).text);
    const href = page('[data-testid="govbr-citizen"]').attr('href')!;
    expect(href).to.equal(`/protocolo/servicos/${service}/govbr`);
    const begun = await a.get(href).expect(302);
    expect(begun.headers.location).to.match(new RegExp(`^${provider.issuer}/auth\\?`));
    const callback = await provider.signIn(begun.headers.location, account.cpf);
    const done = await request(app).get(`${callback.pathname}${callback.search}`).set('Host', PLATFORM).expect(302);
    const back = new URL(done.headers.location);
    expect(back.hostname).to.equal(t.host);
    expect(back.pathname).to.equal('/protocolo/govbr');
    return a.get(`${back.pathname}${back.search}`);
  }

  it('identifies the citizen through gov.br and records the account\'s trust level on the request', async () => {
    const a = agent();
    const back = await signIn(a, general, ouro);
    expect(back.status).to.equal(302);
    expect(back.headers.location).to.equal(`/protocolo/servicos/${general}/formulario`);
    await postRequestForm(a, general, { campo_c1: 'Poda de árvore', campo_c2: 'Peço a poda.' }, [], 302);
    const { number } = await submitReviewed(a, general);
    const [row] = await tenantRows<{ identified_by: string; trust_level: string; citizen_cpf: string; citizen_email: string }>(
      t, 'SELECT identified_by, trust_level, citizen_cpf, citizen_email FROM tenant.citizen_requests WHERE number = $1', [number],
    );
    expect(row).to.deep.equal({ identified_by: 'govbr', trust_level: 'ouro', citizen_cpf: ouro.cpf, citizen_email: 'ouro@cidada.test' });
  });

  it('a ticket redeems once and only in the browser that began: a replay or another browser gets the invalid-link page', async () => {
    const a = agent();
    const begun = await a.get(`/protocolo/servicos/${general}/govbr`).expect(302);
    const callback = await provider.signIn(begun.headers.location, ouro.cpf);
    const done = await request(app).get(`${callback.pathname}${callback.search}`).set('Host', PLATFORM).expect(302);
    const back = new URL(done.headers.location);
    await agent().get(`${back.pathname}${back.search}`).expect(410);
    await a.get(`${back.pathname}${back.search}`).expect(410);
    await a.get(`/protocolo/servicos/${general}/formulario`).expect(302);
  });

  it('a service that requires prata says what a bronze citizen must do, and files nothing for them', async () => {
    const a = agent();
    const page = $((await a.get(`/protocolo/servicos/${strict}`).expect(200)).text);
    expect(page('[data-testid="trust-requirement"]').text()).to.contain('gov.br nível prata');
    expect(page('form[action$="/identificacao"]')).to.have.length(0);
    const back = await signIn(a, strict, bronze);
    expect(back.headers.location).to.equal(`/protocolo/servicos/${strict}/formulario`);
    const form = await a.get(`/protocolo/servicos/${strict}/formulario`).expect(302);
    expect(form.headers.location).to.equal(`/protocolo/servicos/${strict}#identificacao`);
    const shortfall = $((await a.get(`/protocolo/servicos/${strict}`).expect(200)).text);
    expect(shortfall('[data-testid="trust-shortfall"]').text()).to.contain('nível bronze').and.to.contain('nível prata ou superior');
    expect(shortfall('h2#identificacao').text()).to.contain('Como elevar');
    const before = (await tenantRows<{ n: string }>(t, 'SELECT count(*) AS n FROM tenant.citizen_requests WHERE service_id = $1', [strict]))[0].n;
    const token = csrfFrom((await a.get('/protocolo/acompanhar').expect(200)).text);
    const refused = await a.post(`/protocolo/servicos/${strict}/formulario`).field('_csrf', token).expect(302);
    expect(refused.headers.location).to.equal(`/protocolo/servicos/${strict}#identificacao`);
    expect((await tenantRows<{ n: string }>(t, 'SELECT count(*) AS n FROM tenant.citizen_requests WHERE service_id = $1', [strict]))[0].n).to.equal(before);
  });

  it('a citizen identified by e-mail is told to enter with gov.br for a service that requires prata', async () => {
    const a = agent();
    await identify(a, general, { name: 'Maria por E-mail', cpf: randomCpf(), email: 'mail-only@cidada.test' });
    await a.get(`/protocolo/servicos/${strict}/formulario`).expect(302);
    const page = $((await a.get(`/protocolo/servicos/${strict}`).expect(200)).text);
    expect(page('[data-testid="trust-shortfall"]').text()).to.contain('identificou com e-mail');
  });

  it('a gov.br account without a confirmed e-mail is asked to confirm one by the e-mail link', async () => {
    const a = agent();
    const back = await signIn(a, general, unverified);
    expect(back.status).to.equal(422);
    const page = $(back.text);
    expect(page('[data-testid="failure"]').text()).to.contain('não tem um e-mail confirmado');
    expect(page('#name').val()).to.equal('Sem E-mail Confirmado');
    await a.get(`/protocolo/servicos/${general}/formulario`).expect(302);
  });
});
