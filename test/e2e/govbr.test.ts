import crypto from 'node:crypto';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { QueryTypes } from 'sequelize';
import { freePort } from '../../server/db/throwaway';
import { testEnv } from '../support/environment';
import { appWithGovbr, randomCpf, type GovbrTestProvider } from '../support/govbr';
import { createTestTenant, type TestTenant } from '../support/tenants';
import { BrowserHarness, expectAccessible, pagePerTest } from './support/browser';

/**
 * "Entrar com gov.br" in Chromium: our login page, the provider's real login and consent pages
 * (oidc-provider on loopback), the platform callback, and the tenant's own session at the end.
 */
describe('E2E - sign in with gov.br', () => {
  const harness = new BrowserHarness();
  let provider: GovbrTestProvider;
  let tt: TestTenant;
  let page: Page;
  const cpf = randomCpf();
  const stranger = randomCpf();
  const citizenCpf = randomCpf();

  before(async function () {
    this.timeout(60_000);
    const port = await freePort();
    const config = { ...testEnv().config, PORT: port };
    const { provider: started, app } = await appWithGovbr({ config });
    provider = started;
    provider.add({ cpf, name: 'Clara Servidora', email: 'clara@gov.test', emailVerified: true, levels: ['2'] });
    provider.add({ cpf: stranger, name: 'Sem Cadastro', email: 'sem@gov.test', emailVerified: true, levels: [] });
    provider.add({ cpf: citizenCpf, name: 'Cidadã Bronze', email: 'bronze@cidada.test', emailVerified: true, levels: ['1'] });
    tt = await createTestTenant({
      users: [{ name: 'Clara Servidora', email: `clara-${crypto.randomBytes(3).toString('hex')}@e2e.test`, cpf, units: [{ acronym: 'SEGOV', role: 'basic' }] }],
    });
    await harness.start(app, port);
  });
  pagePerTest(harness, 'govbr', (p) => {
    page = p;
  });
  after(async () => {
    await harness.stop();
    await provider.stop();
  });

  async function throughProvider(login: string, start = '/login', button = 'govbr-login'): Promise<void> {
    await page.goto(harness.url(tt.host, start));
    await expectAccessible(page, start === '/login' ? 'login com gov.br' : 'serviço com gov.br');
    await page.getByTestId(button).click();
    await page.waitForURL(new RegExp(`^${provider.issuer}/interaction/`));
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('qualquer-senha');
    await page.locator('button[type="submit"]').click();
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  it('goes through the provider\'s login and consent pages and comes back logged in on the tenant host', async function () {
    this.timeout(90_000);
    await throughProvider(cpf);
    await page.waitForURL(harness.url(tt.host, '/'));
    expect(await page.locator('h1').innerText()).to.equal('Controle de processos');
    expect(await page.getByTestId('logged-user').innerText()).to.equal('Clara Servidora');
    await expectAccessible(page, 'caixa após gov.br');
    // Logout ends the local session and offers gov.br's end-session.
    await page.getByRole('button', { name: 'Sair' }).click();
    await page.waitForURL(harness.url(tt.host, '/login?saiu=govbr'));
    expect(await page.getByRole('link', { name: 'sair também do gov.br' }).getAttribute('href')).to.match(new RegExp(`^${provider.issuer}/`));
    await expectAccessible(page, 'login após sair');
  });

  it('shows an accessible page on the platform host for a callback it did not start', async function () {
    this.timeout(60_000);
    await page.goto(harness.url('localhost', '/entrar/govbr/retorno?state=nunca-emitido&code=x'));
    expect(await page.getByTestId('govbr-problem').innerText()).to.include('não corresponde a um acesso iniciado aqui');
    await expectAccessible(page, 'retorno do gov.br recusado');
    await page.goto(harness.url('localhost', `/entrar/govbr/concluir?ticket=${'x'.repeat(43)}`));
    expect(await page.getByTestId('govbr-problem').innerText()).to.include('não é válido aqui');
    await expectAccessible(page, 'ticket recusado no console');
  });

  it('shows a clear, accessible page for a CPF the tenant does not know', async function () {
    this.timeout(90_000);
    await throughProvider(stranger);
    await page.waitForURL(/\/entrar\/govbr\/concluir/);
    expect(await page.getByTestId('govbr-problem').innerText()).to.equal('Seu CPF não está cadastrado neste órgão.');
    await expectAccessible(page, 'CPF não cadastrado');
  });

  it('identifies a citizen in the Protocolo portal, and says what a bronze account must do for a service that requires prata', async function () {
    this.timeout(90_000);
    const [{ id: general }] = await testEnv().sequelize.query<{ id: string }>(`SELECT id::text AS id FROM "${tt.tenant.schema}".citizen_services WHERE name = 'Requerimento geral'`, { type: QueryTypes.SELECT });
    await throughProvider(citizenCpf, `/protocolo/servicos/${general}`, 'govbr-citizen');
    await page.waitForURL(harness.url(tt.host, `/protocolo/servicos/${general}/formulario`));
    await expectAccessible(page, 'formulário após gov.br');
    await testEnv().sequelize.query(`UPDATE "${tt.tenant.schema}".citizen_services SET min_trust_level = 'prata' WHERE id = $1`, { bind: [general] });
    try {
      await page.goto(harness.url(tt.host, `/protocolo/servicos/${general}/formulario`));
      await page.waitForURL(harness.url(tt.host, `/protocolo/servicos/${general}#identificacao`));
      expect(await page.getByTestId('trust-shortfall').innerText()).to.include('nível bronze');
      await expectAccessible(page, 'serviço exige gov.br prata');
    } finally {
      await testEnv().sequelize.query(`UPDATE "${tt.tenant.schema}".citizen_services SET min_trust_level = NULL WHERE id = $1`, { bind: [general] });
    }
    // A return without a valid ticket: the portal's invalid-link page.
    await page.goto(harness.url(tt.host, `/protocolo/govbr?ticket=${'x'.repeat(43)}`));
    await expectAccessible(page, 'retorno do gov.br inválido no portal');
    expect(await page.locator('h1').innerText()).to.include('inválido');
  });
});
