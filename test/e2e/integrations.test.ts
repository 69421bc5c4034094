import { expect } from 'chai';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { testEnv } from '../support/environment';
import { processTenant } from '../support/processes-http';
import type { TestTenant } from '../support/tenants';
import { BrowserHarness, expectAccessible, pagePerTest } from './support/browser';
import { pressAndWait, tabTo } from './support/keyboard';

/** Calls the API with the key the page showed: it works until the key is revoked. */
const inbox = (t: TestTenant, token: string) => request(testEnv().app).get('/api/v1/caixa').set('Host', t.host).set('Authorization', `Bearer ${token}`);

describe('E2E - Integrações: an administrator creates an integration key, a system uses it, it is revoked', function () {
  this.timeout(120_000);
  const harness = new BrowserHarness();
  let page: Page;
  let t: TestTenant;

  before(async function () {
    this.timeout(60_000);
    await harness.start();
    t = await processTenant();
  });
  after(async () => harness.stop());
  pagePerTest(harness, 'integrations', (p) => {
    page = p;
  }, { timeout: 10_000 });

  it('with the mouse', async () => {
    await harness.logIn(page, t.host, t.admin.email);
    await page.getByRole('link', { name: 'Administração' }).click();
    await page.getByRole('link', { name: 'Integrações' }).click();
    await page.waitForURL(/\/administracao\/integracoes$/);
    await expectAccessible(page);
    // Nothing filled: the errors next to the fields.
    await page.getByRole('button', { name: 'Criar chave' }).click();
    expect(await page.locator('#error-summary').innerText()).to.contain('Informe o nome do sistema');
    await expectAccessible(page, 'Integrações (erros)');
    await page.getByLabel('Sistema').fill('Sistema de Tributos');
    await page.locator('#unitId').selectOption({ label: 'SEGOV — Secretaria de Governo' });
    // gov.br DS checkboxes: the label is what the pointer clicks.
    await page.locator('label[for="scope-processos-ler"]').click();
    await page.locator('label[for="scope-processos-criar"]').click();
    await page.getByRole('button', { name: 'Criar chave' }).click();
    const token = await page.locator('[data-testid="token"]').inputValue();
    expect(token).to.match(/^pen_[0-9a-f]{16}_/);
    await expectAccessible(page, 'Integrações (chave criada)');
    expect((await inbox(t, token)).status).to.equal(200);

    await page.goto(harness.url(t.host, '/administracao/integracoes'));
    const row = page.locator('[data-testid="key-row"]', { hasText: 'Sistema de Tributos' });
    expect(await row.innerText()).to.not.contain('Nunca usada');
    expect(await page.content()).to.not.contain(token);
    await row.getByRole('button', { name: 'Revogar a chave de Sistema de Tributos' }).click();
    await page.locator('[data-testid="flash"]', { hasText: 'Chave revogada.' }).waitFor();
    expect(await page.locator('[data-testid="key-row"]', { hasText: 'Sistema de Tributos' }).innerText()).to.contain('Revogada em');
    await expectAccessible(page, 'Integrações (revogada)');
    expect((await inbox(t, token)).status).to.equal(401);

    await page.getByRole('link', { name: 'API de integração' }).click();
    await page.waitForURL(/\/api\/v1\/docs$/);
    expect(await page.locator('h1').innerText()).to.equal('API de integração');
    await expectAccessible(page, 'API de integração (documentação)');
  });

  it('with the keyboard only', async () => {
    await harness.logIn(page, t.host, t.admin.email);
    await page.goto(harness.url(t.host, '/administracao/integracoes'));
    await tabTo(page, '#name');
    await page.keyboard.type('Sistema de Folha');
    await tabTo(page, '#unitId');
    await page.keyboard.press('ArrowDown');
    await tabTo(page, '#scope-processos-ler');
    await page.keyboard.press('Space');
    await tabTo(page, 'button[type="submit"]', 'Criar chave');
    await pressAndWait(page, 'Enter');
    const token = await page.locator('[data-testid="token"]').inputValue();
    expect(token).to.match(/^pen_/);
    await expectAccessible(page, 'Integrações (chave criada, teclado)');
    expect((await inbox(t, token)).status).to.equal(200);
    await page.goto(harness.url(t.host, '/administracao/integracoes'));
    await tabTo(page, 'button', 'Revogar a chave de Sistema de Folha');
    await pressAndWait(page, 'Enter');
    expect((await inbox(t, token)).status).to.equal(401);
    await expectAccessible(page, 'Integrações (revogada, teclado)');
  });
});
