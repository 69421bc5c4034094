import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { createTransport } from '../../server/mail/transport';
import { OutboxWorker } from '../../server/mail/worker';
import { testEnv } from '../support/environment';
import { SmtpPeer } from '../support/smtp';
import { createTestTenant, TEST_PASSWORD, type TestTenant } from '../support/tenants';
import { BrowserHarness, expectAccessible, pagePerTest } from './support/browser';
import { chooseFilesByKeyboard, pressAndWait, tabTo } from './support/keyboard';

const CSV = [
  'sigla,nome,sigla_superior,codigo_protocolo',
  'SEADM,Secretaria Municipal de Administração,PMT,20001',
  'DRH,Departamento de Recursos Humanos,SEADM,20002',
  'DCP,Departamento de Compras,SEADM,',
  '',
].join('\n');
const NEW_PASSWORD = 'Prefeitura2026!';

describe('E2E - tenant administration: import units, invite, set password, switch unit', function () {
  // Whole journeys: a dozen pages each, every one checked by axe.
  this.timeout(120_000);
  const harness = new BrowserHarness();
  const peer = new SmtpPeer();
  let worker: OutboxWorker;
  let csvFile: string;
  let context: BrowserContext;
  let page: Page;

  before(async function () {
    this.timeout(60_000);
    await harness.start();
    await peer.start();
    worker = new OutboxWorker(testEnv().sequelize, createTransport(peer.url, os.tmpdir()), { from: 'PEN Nuvem <nao-responda@pen.gov.br>' });
    csvFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pen-e2e-')), 'unidades.csv');
    fs.writeFileSync(csvFile, CSV);
  });
  after(async () => {
    await worker.stop();
    await peer.stop();
    await harness.stop();
  });
  pagePerTest(harness, 'administration', (p, c) => {
    page = p;
    context = c;
  }, { timeout: 10_000 });

  /** Delivers the outbox through the real SMTP peer and returns the link of the invitation. */
  async function invitationLink(email: string): Promise<string> {
    await worker.deliverDue();
    const mail = await peer.waitFor(email, /^Convite/);
    const link = /http:\/\/\S+\/definir-senha\?token=[A-Za-z0-9_-]+/.exec(mail.text ?? '')?.[0];
    expect(link, 'link in the delivered e-mail').to.be.a('string');
    const url = new URL(link!);
    return harness.url(url.hostname, `${url.pathname}${url.search}`);
  }

  it('with the mouse', async () => {
    const t: TestTenant = await createTestTenant();
    const email = `ana@${t.definition.slug}.test`;
    await page.goto(harness.url(t.host, '/login'));
    await page.getByLabel('E-mail').fill(t.admin.email);
    await page.getByLabel('Senha').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.getByRole('link', { name: 'Administração' }).click();
    await page.waitForURL(/\/administracao$/);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Unidades', exact: true }).click();
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Importar CSV' }).click();
    await expectAccessible(page);
    await page.getByLabel('Arquivo CSV').setInputFiles(csvFile);
    await page.getByRole('button', { name: 'Ver prévia' }).click();
    expect(await page.locator('[data-testid="import-ok"]').innerText()).to.contain('3 unidades novas');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Confirmar importação' }).click();
    await page.locator('[data-testid="flash"]', { hasText: 'Importação concluída' }).waitFor();
    expect(await page.locator('.app-tree-path').allInnerTexts()).to.include('PMT/SEADM/DRH');
    await page.getByRole('button', { name: 'Recolher ou expandir as unidades de SEADM' }).click();
    expect(await page.locator('.app-tree-path', { hasText: 'PMT/SEADM/DRH' }).isVisible()).to.equal(false);
    await expectAccessible(page);

    await page.goto(harness.url(t.host, '/administracao/usuarios'));
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Convidar usuário' }).click();
    await expectAccessible(page);
    await page.getByLabel('Nome completo').fill('Ana Souza');
    await page.getByLabel('E-mail').fill(email);
    await page.locator('#unitId0').selectOption({ label: 'PMT/SEADM/DRH — Departamento de Recursos Humanos' });
    await page.locator('#role0').selectOption('protocol');
    await page.locator('#unitId1').selectOption({ label: 'PMT/SEADM — Secretaria Municipal de Administração' });
    await page.locator('#role1').selectOption('basic');
    await page.getByRole('button', { name: 'Enviar convite' }).click();
    expect(await page.locator('[data-testid="user-state"]').innerText()).to.equal('Convite pendente');
    await expectAccessible(page);

    await context.clearCookies();
    await page.goto(await invitationLink(email));
    await expectAccessible(page);
    await page.locator('#password').fill(NEW_PASSWORD);
    await page.getByLabel('Repita a nova senha').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Salvar senha e entrar' }).click();
    await page.waitForURL(harness.url(t.host, '/'));
    await page.getByRole('button', { name: 'Sair' }).click();
    await page.waitForURL(/\/login$/);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Senha').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.waitForURL(harness.url(t.host, '/'));
    expect(await page.locator('h1').innerText()).to.equal('Controle de processos');
    expect(await page.locator('[data-testid="logged-user"]').innerText()).to.equal('Ana Souza');
    expect(await page.locator('[data-testid="current-unit"]').innerText()).to.equal('DRH');
    expect(await page.getByRole('link', { name: 'Administração' }).count()).to.equal(0);
    await expectAccessible(page);
    await page.getByLabel('Unidade atual').selectOption({ label: 'SEADM — Secretaria Municipal de Administração' });
    // Same URL before and after: wait for the navigation itself.
    await Promise.all([page.waitForEvent('framenavigated'), page.getByRole('button', { name: 'Trocar' }).click()]);
    await page.waitForLoadState('load');
    expect(await page.locator('[data-testid="current-unit"]').innerText()).to.equal('SEADM');
    await expectAccessible(page);
  });

  it('by keyboard only (Tab, Enter, Space, typing)', async () => {
    const t: TestTenant = await createTestTenant();
    const email = `bruno@${t.definition.slug}.test`;
    await page.goto(harness.url(t.host, '/login'));
    await tabTo(page, '#email');
    await page.keyboard.type(t.admin.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(TEST_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(harness.url(t.host, '/'));
    await tabTo(page, 'nav a[href="/administracao"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/administracao$/);
    await tabTo(page, '#main-content a[href="/administracao/unidades"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/administracao\/unidades$/);
    await tabTo(page, 'a[href="/administracao/unidades/importar"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/importar$/);
    await chooseFilesByKeyboard(page, '#arquivo', csvFile);
    await tabTo(page, 'button[type="submit"]', 'Ver prévia');
    await pressAndWait(page, 'Enter');
    await tabTo(page, 'button', 'Confirmar importação');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="flash"]', { hasText: 'Importação concluída' }).waitFor();
    await tabTo(page, 'button[aria-controls]', 'unidades de SEADM');
    await page.keyboard.press('Space');
    expect(await page.locator('.app-tree-path', { hasText: 'PMT/SEADM/DRH' }).isVisible()).to.equal(false);
    await page.keyboard.press('Enter');
    expect(await page.locator('.app-tree-path', { hasText: 'PMT/SEADM/DRH' }).isVisible()).to.equal(true);

    await tabTo(page, 'nav a[href="/administracao"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/administracao$/);
    await tabTo(page, '#main-content a[href="/administracao/usuarios"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/usuarios$/);
    await tabTo(page, 'a[href="/administracao/usuarios/convidar"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/convidar$/);
    await tabTo(page, '#name');
    await page.keyboard.type('Bruno Lima');
    await page.keyboard.press('Tab');
    await page.keyboard.type(email);
    await tabTo(page, '#unitId0');
    await page.keyboard.type('PMT/SEADM/DRH');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Protocolo');
    await tabTo(page, '#unitId1');
    await page.keyboard.type('PMT/SEADM ');
    await tabTo(page, 'button', 'Enviar convite');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="flash"]', { hasText: 'Convite enviado por e-mail.' }).waitFor();
    expect(await page.locator('[data-testid="user-state"]').innerText()).to.equal('Convite pendente');
    expect(await page.locator('#main-content').innerText()).to.contain('DRH — Departamento de Recursos Humanos');

    await context.clearCookies();
    await page.goto(await invitationLink(email));
    await tabTo(page, '#password');
    await page.keyboard.type(NEW_PASSWORD);
    await page.keyboard.press('Tab');
    await page.keyboard.type(NEW_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(harness.url(t.host, '/'));
    await tabTo(page, 'button', 'Sair');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/login$/);
    await tabTo(page, '#email');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(NEW_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(harness.url(t.host, '/'));
    expect(await page.locator('[data-testid="current-unit"]').innerText()).to.equal('DRH');
    await tabTo(page, '#current-unit');
    await page.keyboard.type('SEADM');
    await page.keyboard.press('Tab');
    await pressAndWait(page, 'Enter');
    expect(await page.locator('[data-testid="current-unit"]').innerText()).to.equal('SEADM');
  });
  it('keeps every other administration page accessible (units, catalogs, audit, forgot password, 403)', async () => {
    const t: TestTenant = await createTestTenant();
    await page.goto(harness.url(t.host, '/esqueci-minha-senha'));
    await expectAccessible(page);
    await page.getByLabel('E-mail').fill('ninguem@nada.test');
    await page.getByRole('button', { name: 'Enviar link' }).click();
    await page.locator('[data-testid="reset-requested"]').waitFor();
    await expectAccessible(page);
    await page.goto(harness.url(t.host, '/login'));
    await page.getByLabel('E-mail').fill(t.admin.email);
    await page.getByLabel('Senha').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.waitForURL(harness.url(t.host, '/'));
    await page.goto(harness.url(t.host, '/administracao/unidades'));
    await page.locator('[data-testid="unit-link"]', { hasText: 'SEGOV' }).click();
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Mover unidade' }).click();
    await page.locator('[data-testid="flash"]', { hasText: 'Unidade movida.' }).waitFor();
    expect(await page.getByRole('status').innerText()).to.contain('Unidade movida');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Nova unidade subordinada' }).click();
    await page.waitForURL(/\/unidades\/nova/);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Criar unidade' }).click();
    expect(await page.locator('#acronym-error').innerText()).to.contain('Informe a sigla');
    await expectAccessible(page);
    for (const p of ['/administracao/tipos-de-processo', '/administracao/tipos-de-processo/novo', '/administracao/tipos-de-documento', '/administracao/tipos-de-documento/novo', '/administracao/tipos-de-documento/1', '/administracao/hipoteses-legais', '/administracao/hipoteses-legais/novo', '/administracao/auditoria', '/administracao/feriados']) {
      await page.goto(harness.url(t.host, p));
      await expectAccessible(page);
    }
    await page.goto(harness.url(t.host, '/administracao/tipos-de-processo/novo'));
    await page.getByRole('button', { name: 'Salvar' }).click();
    expect(await page.locator('#name-error').innerText()).to.contain('Informe o nome');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Sair' }).click();
    await page.waitForURL(/\/login$/);
    await page.getByLabel('E-mail').fill(t.clerk.email);
    await page.getByLabel('Senha').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.waitForURL(harness.url(t.host, '/'));
    const refused = await page.goto(harness.url(t.host, '/administracao/usuarios'));
    expect(refused?.status()).to.equal(403);
    await expectAccessible(page);
  });
});
