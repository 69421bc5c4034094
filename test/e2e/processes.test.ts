import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { TEST_PASSWORD, type TestTenant } from '../support/tenants';
import { emailOf, processTenant } from '../support/processes-http';
import { BrowserHarness, expectAccessible } from './support/browser';
import { tabTo } from './support/keyboard';

const SHOTS = process.env.E2E_SCREENSHOTS;

/**
 * The process journey: a clerk in SEGOV creates a process and sends it to SMS and SEAD keeping it
 * open; a user of SMS sees it unread, opens it (received) and concludes it; the origin sees the state.
 */
describe('E2E - processes: create, send, receive, conclude', () => {
  const harness = new BrowserHarness();
  let tenant: TestTenant;
  const contexts: BrowserContext[] = [];

  before(async function () {
    this.timeout(60_000);
    await harness.start();
    tenant = await processTenant();
  });
  after(async () => {
    await harness.stop();
  });
  afterEach(async () => {
    while (contexts.length) await contexts.pop()?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await harness.newContext();
    contexts.push(context);
    return context.newPage();
  }

  async function shot(page: Page, name: string): Promise<void> {
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  }

  async function loginWithKeyboard(page: Page, who: Parameters<typeof emailOf>[1]): Promise<void> {
    await page.goto(harness.url(tenant.host, '/login'));
    await tabTo(page, '#email');
    await page.keyboard.type(emailOf(tenant, who));
    await page.keyboard.press('Tab');
    await page.keyboard.type(TEST_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(harness.url(tenant.host, '/'));
  }

  it('clerk creates and sends with the mouse; the target receives and concludes; the origin sees the state', async function () {
    this.timeout(120_000);
    const clerk = await newPage();
    await harness.logIn(clerk, tenant.host, emailOf(tenant, 'servidor'));
    expect(await clerk.locator('h1').innerText()).to.equal('Controle de processos');
    await expectAccessible(clerk);
    await shot(clerk, '01-inbox-empty');

    await clerk.getByRole('link', { name: 'Iniciar processo' }).first().click();
    await clerk.waitForURL(/\/processos\/novo$/);
    await expectAccessible(clerk);
    await clerk.getByLabel('Tipo de processo').selectOption({ label: 'Licitação: pregão eletrônico' });
    await clerk.getByLabel('Especificação').fill('Aquisição de cadeiras para a recepção');
    await clerk.getByLabel('Nome do interessado 1').fill('Móveis Angra Ltda');
    await clerk.getByLabel('CPF ou CNPJ do interessado 1').fill('11.222.333/0001-81');
    await clerk.locator('label[for="accessLevel-public"]').click();
    await shot(clerk, '02-new');
    await clerk.getByRole('button', { name: 'Criar processo' }).click();
    await clerk.waitForURL(/\/processos\/\d+$/);
    const processUrl = clerk.url();
    const number = await clerk.locator('[data-testid="process-number"]').innerText();
    expect(number).to.match(/^10001\.\d{6}\/\d{4}-\d{2}$/);
    await expectAccessible(clerk);
    await shot(clerk, '03-process');

    await clerk.getByRole('link', { name: 'Enviar', exact: true }).click();
    await clerk.waitForURL(/\/enviar$/);
    await expectAccessible(clerk);
    await clerk.getByLabel('Filtrar unidades pela sigla ou pelo nome').fill('saúde');
    await clerk.locator('label', { hasText: 'SMS — Secretaria de Saúde' }).click();
    await clerk.getByLabel('Filtrar unidades pela sigla ou pelo nome').fill('SEAD');
    await clerk.locator('label', { hasText: 'SEAD — Secretaria de Administração' }).click();
    await clerk.locator('label[for="keepOpen"]').click();
    await shot(clerk, '04-send');
    await clerk.getByRole('button', { name: 'Enviar', exact: true }).click();
    await clerk.waitForURL(processUrl);
    expect(await clerk.locator('[data-testid="open-units"]').innerText()).to.match(/SEAD\s*SEGOV\s*SMS/);
    await expectAccessible(clerk);

    const sofia = await newPage();
    await harness.logIn(sofia, tenant.host, emailOf(tenant, 'sofia'));
    const row = sofia.locator('[data-testid="list-received"] tr.app-unread', { hasText: number });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.count()).to.equal(1);
    const link = row.locator('a.app-process-link');
    expect(await link.evaluate((el) => getComputedStyle(el).fontWeight)).to.equal('700');
    expect(await link.evaluate((el) => getComputedStyle(el).color)).to.equal('rgb(181, 9, 9)');
    expect(await link.locator('.sr-only').innerText()).to.contain('não lido');
    await expectAccessible(sofia);
    await shot(sofia, '05-target-inbox');
    await link.click();
    await sofia.waitForURL(processUrl);
    expect(await sofia.locator('[data-testid="received"]').innerText()).to.contain('Processo recebido na unidade SMS');
    await expectAccessible(sofia);
    await sofia.getByRole('button', { name: 'Concluir nesta unidade' }).click();
    await sofia.locator('[data-testid="flash"]', { hasText: 'Processo concluído na unidade' }).waitFor();
    expect(await sofia.locator('[data-testid="open-units"]').innerText()).to.match(/SEAD\s*SEGOV/);
    await expectAccessible(sofia);

    await clerk.reload();
    expect(await clerk.locator('[data-testid="open-units"]').innerText()).to.not.contain('SMS');
    const history = await clerk.locator('[data-testid="history"]').innerText();
    expect(history).to.contain('Processo concluído na unidade');
    expect(history).to.contain('Processo recebido na unidade');
    expect(history).to.contain('Sofia da Saúde');
    await expectAccessible(clerk);
    await shot(clerk, '06-origin-state');
    await clerk.goto(harness.url(tenant.host, '/'));
    expect(await clerk.locator('[data-testid="list-created"]').innerText()).to.contain(number);
    await expectAccessible(clerk);
  });

  it('the same journey by keyboard only reaches the same end state', async function () {
    this.timeout(120_000);
    const clerk = await newPage();
    await loginWithKeyboard(clerk, 'colega');
    await expectAccessible(clerk);
    await tabTo(clerk, 'a.br-button[href="/processos/novo"]');
    await clerk.keyboard.press('Enter');
    await clerk.waitForURL(/\/processos\/novo$/);
    await expectAccessible(clerk);
    await tabTo(clerk, '#processTypeId');
    await clerk.keyboard.type('Licitação');
    await tabTo(clerk, '#specification');
    await clerk.keyboard.type('Cadeiras por teclado');
    await tabTo(clerk, '#partyName0');
    await clerk.keyboard.type('Fornecedor do Teclado');
    await tabTo(clerk, '#accessLevel-public');
    await clerk.keyboard.press('Space');
    await tabTo(clerk, 'button[type="submit"]');
    await clerk.keyboard.press('Enter');
    await clerk.waitForURL(/\/processos\/\d+$/);
    const processUrl = clerk.url();
    const number = await clerk.locator('[data-testid="process-number"]').innerText();
    await expectAccessible(clerk);

    await tabTo(clerk, 'a[href$="/enviar"]');
    await clerk.keyboard.press('Enter');
    await clerk.waitForURL(/\/enviar$/);
    await expectAccessible(clerk);
    await tabTo(clerk, '#unit-filter');
    await clerk.keyboard.type('SMS');
    await clerk.keyboard.press('Tab');
    await clerk.keyboard.press('Space');
    await tabTo(clerk, '#unit-filter', '', 200);
    await clerk.keyboard.press('Control+A');
    await clerk.keyboard.type('SEAD');
    await tabTo(clerk, 'input[name="units"]:not(:checked)');
    await clerk.keyboard.press('Space');
    await tabTo(clerk, '#keepOpen');
    await clerk.keyboard.press('Space');
    await tabTo(clerk, 'form button[type="submit"].primary');
    await clerk.keyboard.press('Enter');
    await clerk.waitForURL(processUrl);
    expect(await clerk.locator('[data-testid="open-units"]').innerText()).to.match(/SEAD\s*SEGOV\s*SMS/);

    const samuel = await newPage();
    await loginWithKeyboard(samuel, 'samuel');
    await samuel.locator('[data-testid="list-received"] tr.app-unread', { hasText: number }).waitFor({ timeout: 10_000 });
    expect(await samuel.locator('[data-testid="list-received"] tr.app-unread', { hasText: number }).count()).to.equal(1);
    await tabTo(samuel, `tr.app-unread a.app-process-link`);
    expect(await samuel.evaluate(() => document.activeElement?.textContent ?? '')).to.contain(number);
    await samuel.keyboard.press('Enter');
    await samuel.waitForURL(processUrl);
    expect(await samuel.locator('[data-testid="received"]').innerText()).to.contain('SMS');
    await expectAccessible(samuel);
    await tabTo(samuel, 'form[action$="/concluir"] button');
    await samuel.keyboard.press('Enter');
    await samuel.locator('[data-testid="flash"]', { hasText: 'Processo concluído na unidade' }).waitFor();
    await expectAccessible(samuel);

    await clerk.reload();
    expect(await clerk.locator('[data-testid="open-units"]').innerText()).to.match(/^\s*SEAD\s*SEGOV\s*$/);
    expect(await clerk.locator('[data-testid="history"]').innerText()).to.contain('Samuel da Saúde');
    await expectAccessible(clerk);
  });
});
