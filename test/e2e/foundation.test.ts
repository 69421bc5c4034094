import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { createTestTenant, TEST_PASSWORD, type TestTenant } from '../support/tenants';
import { BrowserHarness, expectAccessible } from './support/browser';

describe('E2E - foundation: platform and tenant sites', () => {
  const harness = new BrowserHarness();
  let tenant: TestTenant;
  let context: BrowserContext;
  let page: Page;

  before(async function () {
    this.timeout(60_000);
    await harness.start();
    tenant = await createTestTenant();
  });
  after(async () => {
    await harness.stop();
  });
  beforeEach(async () => {
    context = await harness.newContext();
    page = await context.newPage();
  });
  afterEach(async () => {
    await context.close();
  });

  it('shows the platform landing page with its figures', async () => {
    await page.goto(harness.url('localhost'));
    expect(await page.title()).to.equal('Início — Ministério da Gestão e da Inovação — PEN Nuvem');
    const tenants = Number((await page.locator('[data-figure="tenants"]').innerText()).replace(/\D/g, ''));
    expect(tenants).to.be.greaterThan(0);
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
