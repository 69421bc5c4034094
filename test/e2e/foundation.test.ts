import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { hashPassword } from '../../server/auth/passwords';
import { Operator, Tenant, User } from '../../server/models';
import { issueUserToken } from '../../server/people/tokens';
import { inTenant, runWithTenant } from '../../server/tenancy/context';
import { testEnv } from '../support/environment';
import { createTestTenant, TEST_PASSWORD, type TestTenant } from '../support/tenants';
import { BrowserHarness, expectAccessible, pagePerTest } from './support/browser';

describe('E2E - foundation: platform and tenant sites', () => {
  const harness = new BrowserHarness();
  let tenant: TestTenant;
  let page: Page;

  before(async function () {
    this.timeout(60_000);
    await harness.start();
    tenant = await createTestTenant();
  });
  after(async () => {
    await harness.stop();
  });
  pagePerTest(harness, 'foundation', (p) => {
    page = p;
  });

  it('shows the platform landing page with its figures', async () => {
    await page.goto(harness.url('localhost'));
    expect(await page.title()).to.equal('Início — Ministério da Gestão e da Inovação — PEN Nuvem');
    const tenants = Number((await page.locator('[data-figure="tenants"]').innerText()).replace(/\D/g, ''));
    expect(tenants).to.be.greaterThan(0);
    await expectAccessible(page);
  });

  it('finds a government in the public directory from the header search, by keyboard', async () => {
    await page.goto(harness.url('localhost'));
    await page.keyboard.press('Tab'); // skip link bar: 1 conteúdo
    await page.keyboard.press('Tab'); // 2 menu
    await page.keyboard.press('Tab'); // 3 busca
    expect(await page.locator(':focus').innerText()).to.contain('Ir para a busca');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('searchbox');
    await page.keyboard.type(tenant.definition.name);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/entes\?q=/);
    expect(await page.locator('tbody').innerText()).to.contain(tenant.definition.name);
    await expectAccessible(page);
  });

  it('logs a clerk in on the tenant host with the mouse and shows their units', async () => {
    await page.goto(harness.url(tenant.host, '/'));
    expect(new URL(page.url()).pathname).to.equal('/login');
    await expectAccessible(page);
    await page.getByLabel('E-mail').fill(tenant.clerk.email);
    await page.getByLabel('Senha').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.waitForURL(harness.url(tenant.host, '/'));
    expect(await page.locator('h1').innerText()).to.equal('Controle de processos');
    expect(await page.locator('[data-testid="current-unit"]').innerText()).to.equal('SEGOV');
    await expectAccessible(page);
  });

  it('logs a clerk in by keyboard only (skip link, Tab, Enter)', async () => {
    await page.goto(harness.url(tenant.host, '/login'));
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').innerText()).to.contain('Ir para o conteúdo');
    await page.keyboard.press('Enter');
    // Tab through the main content to the e-mail field.
    for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement?.id)) !== 'email'; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('email');
    await page.keyboard.type(tenant.clerk.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(TEST_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(harness.url(tenant.host, '/'));
    expect(await page.locator('h1').innerText()).to.equal('Controle de processos');
  });

  it('moves focus to the error summary after a failed login, which links to the field', async () => {
    await page.goto(harness.url(tenant.host, '/login'));
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    expect(await page.locator('#error-summary a[href="#email"]').innerText()).to.equal('Informe o seu e-mail.');
    await expectAccessible(page);
  });

  it('shows an accessible 404 page for an unknown host', async () => {
    const res = await page.goto(harness.url('ninguem.localhost', '/'));
    expect(res?.status()).to.equal(404);
    expect(await page.locator('h1').innerText()).to.equal('Endereço não encontrado');
    await expectAccessible(page);
  });
});

describe('E2E - foundation: operators, password links and error pages', () => {
  const harness = new BrowserHarness();
  let tenant: TestTenant;
  let context: BrowserContext;
  let page: Page;

  before(async function () {
    this.timeout(60_000);
    await harness.start();
    tenant = await createTestTenant();
    const passwordHash = await hashPassword(TEST_PASSWORD);
    await Operator.findOrCreate({ where: { email: 'operadora-e2e@mgi.gov.br' }, defaults: { name: 'Operadora E2E', email: 'operadora-e2e@mgi.gov.br', passwordHash } });
  });
  after(async () => {
    await harness.stop();
  });
  pagePerTest(harness, 'foundation', (p, c) => {
    page = p;
    context = c;
  });

  it('lets an MGI operator log in on the platform host and reach the console', async () => {
    await page.goto(harness.url('localhost', '/admin'));
    expect(new URL(page.url()).pathname).to.equal('/login');
    expect(await page.locator('h1').innerText()).to.equal('Entrar no console do MGI');
    await expectAccessible(page);
    await page.getByLabel('E-mail').fill('operadora-e2e@mgi.gov.br');
    await page.getByLabel('Senha').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.waitForURL(harness.url('localhost', '/admin'));
    expect(await page.locator('h1').innerText()).to.equal('Pedidos de adesão');
    await expectAccessible(page);
    // The transfers between governments: metadata and states, filtered by state.
    await page.getByRole('navigation', { name: 'Console do MGI' }).getByRole('link', { name: 'Trâmites' }).click();
    await page.waitForURL(harness.url('localhost', '/admin/tramites'));
    expect(await page.locator('h1').innerText()).to.equal('Trâmites entre órgãos');
    await expectAccessible(page);
    await page.getByLabel('Situação').selectOption('cancelado');
    await page.getByRole('button', { name: 'Filtrar' }).click();
    await page.waitForURL(harness.url('localhost', '/admin/tramites?situacao=cancelado&ente='));
    expect(await page.getByLabel('Situação').inputValue()).to.equal('cancelado');
    await expectAccessible(page);
  });

  it('sets a password from an invitation link and lands logged in', async () => {
    const link = await runWithTenant(tenant.tenant, async () => {
      const user = await inTenant(() => User.findOne({ where: { email: tenant.clerk.email } }));
      return issueUserToken(String(user!.id), 'invite');
    });
    await page.goto(harness.url(tenant.host, `/definir-senha?token=${link}`));
    expect(await page.locator('h1').innerText()).to.equal('Defina a sua senha');
    await expectAccessible(page);
    await page.getByLabel('Nova senha', { exact: false }).first().fill('curta');
    await page.getByLabel('Repita a nova senha').fill('curta');
    await page.getByRole('button', { name: 'Salvar senha e entrar' }).click();
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    await expectAccessible(page, 'Definir senha (com erros)');
    await page.getByLabel('Nova senha', { exact: false }).first().fill('SenhaNova2026');
    await page.getByLabel('Repita a nova senha').fill('SenhaNova2026');
    await page.getByRole('button', { name: 'Salvar senha e entrar' }).click();
    await page.waitForURL(harness.url(tenant.host, '/'));
    expect(await page.locator('h1').innerText()).to.equal('Controle de processos');
    expect(await page.locator('[data-testid="logged-user"]').innerText()).to.equal('Servidor de Teste');
    // The same link does not work twice.
    const again = await page.goto(harness.url(tenant.host, `/definir-senha?token=${link}`));
    expect(again?.status()).to.equal(410);
    await expectAccessible(page);
  });

  it('shows an accessible "página não encontrada" on a tenant host', async () => {
    const res = await page.goto(harness.url(tenant.host, '/nao-existe'));
    expect(res?.status()).to.equal(404);
    expect(await page.locator('h1').innerText()).to.equal('Página não encontrada');
    await expectAccessible(page);
  });

  it('shows an accessible "acesso negado" when a form comes back without its session', async () => {
    await page.goto(harness.url(tenant.host, '/login'));
    await context.clearCookies();
    await page.getByLabel('E-mail').fill(tenant.clerk.email);
    await page.getByLabel('Senha').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('h1').innerText()).to.equal('Acesso negado');
    expect(await page.locator('.br-message').innerText()).to.contain('O formulário expirou');
    await expectAccessible(page);
  });

  it('shows an accessible "temporariamente indisponível" page for a suspended tenant', async () => {
    const s = await createTestTenant();
    await Tenant.update({ status: 'suspended' }, { where: { id: s.tenant.id } });
    await testEnv().registry.announceChange();
    const res = await page.goto(harness.url(s.host, '/'));
    expect(res?.status()).to.equal(503);
    expect(await page.locator('h1').innerText()).to.equal('Temporariamente indisponível');
    await expectAccessible(page);
  });
});
