import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { docWorld, newProcess, type DocWorld } from '../support/documents';
import { samplePng } from '../support/files';
import { createTestTenant } from '../support/tenants';
import { BrowserHarness, expectAccessible, expectNoPageErrors, pagePerTest } from './support/browser';

/** A newcomer's walk, in the browser (issue 19: points 1, 2, 6, 9 and 17). */
describe('E2E - what a clerk sees', () => {
  const harness = new BrowserHarness();
  let w: DocWorld;
  let page: Page;

  before(async function () {
    this.timeout(60_000);
    await harness.start();
    w = await docWorld(await createTestTenant());
  });
  after(async () => {
    await harness.stop();
  });
  pagePerTest(harness, 'clerk', (p) => {
    page = p;
  });

  it('fails a test on an uncaught script error of the page', async () => {
    await page.setContent('<p>página com erro</p><script>null.addEventListener("click", () => 0)</script>');
    await page.waitForTimeout(50);
    expect(() => expectNoPageErrors(page)).to.throw(/erro de script.*addEventListener/s);
  });

  it('runs the gov.br header without a script error on platform, wizard, tenant and public pages', async function () {
    this.timeout(60_000);
    for (const [host, path] of [['localhost', '/'], ['localhost', '/adesao/ente'], [w.tt.host, '/login'], [w.tt.host, '/conferir-autenticidade']] as const) {
      await page.goto(harness.url(host, path));
      await page.waitForLoadState('load');
      await expectAccessible(page);
    }
    await harness.logIn(page, w.tt.host, w.tt.clerk.email);
    await expectAccessible(page);
    // On a narrow screen the header's menu button folds and unfolds the menu.
    await page.setViewportSize({ width: 600, height: 900 });
    const menu = page.getByRole('button', { name: 'Menu' });
    const entry = page.locator('#header-navigation').getByRole('link', { name: 'Iniciar processo' });
    expect(await entry.isVisible()).to.equal(false);
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).to.equal('true');
    expect(await entry.isVisible()).to.equal(true);
    expectNoPageErrors(page);
  });

  it('hides the HTML source under the editor, and text typed at the end of a despacho starts its own paragraph', async function () {
    this.timeout(60_000);
    const p = await newProcess(w);
    await harness.logIn(page, w.tt.host, w.tt.clerk.email);
    await page.goto(harness.url(w.tt.host, `/processos/${p.id}/documentos/novo`));
    await page.getByLabel('Tipo de documento').selectOption({ label: 'Despacho' });
    await page.getByRole('button', { name: 'Criar e editar' }).click();
    await page.waitForURL(/\/documentos\/\d+\/editar$/);
    await page.locator('.ql-editor').waitFor();
    expect(await page.locator('textarea#body').isVisible()).to.equal(false);
    await expectAccessible(page);
    await page.locator('.ql-editor').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('Defiro o pedido.');
    await page.getByRole('button', { name: 'Salvar' }).click();
    await page.locator('[data-testid="flash"]', { hasText: 'Documento salvo.' }).waitFor();
    const paragraphs = await page.locator('[data-testid="document-body"] p').allInnerTexts();
    expect(paragraphs.at(-1)).to.equal('Defiro o pedido.');
    expect(paragraphs.find((t) => t.startsWith('Interessado(s):'))).to.equal('Interessado(s): Papelaria Central Ltda');
    await expectAccessible(page);
  });

  it('says next to the access level why a process type locks it', async () => {
    await harness.logIn(page, w.tt.host, w.tt.clerk.email);
    await page.goto(harness.url(w.tt.host, '/processos/novo'));
    await page.getByLabel('Tipo de processo').selectOption({ label: 'Pessoal: férias' });
    expect(await page.locator('#accessLevel-note').innerText()).to.equal('Este tipo de processo só admite acesso restrito.');
    expect(await page.getByLabel('Público', { exact: true }).isVisible()).to.equal(false);
    expect(await page.getByLabel('Sigiloso', { exact: true }).isVisible()).to.equal(false);
    expect(await page.getByLabel('Restrito', { exact: true }).isChecked()).to.equal(true);
    await page.getByLabel('Tipo de processo').selectOption({ label: 'Licitação: pregão eletrônico' });
    expect(await page.locator('#accessLevel-note').innerText()).to.equal('Este tipo de processo só admite acesso público ou restrito.');
    await expectAccessible(page);
  });

  it('shows a refused process form at its own address, so a reload does not post it again', async () => {
    await harness.logIn(page, w.tt.host, w.tt.clerk.email);
    await page.goto(harness.url(w.tt.host, '/processos/novo'));
    await page.getByLabel('Especificação').fill('Sem tipo nem interessado');
    await page.getByRole('button', { name: 'Criar processo' }).click();
    await page.waitForURL(harness.url(w.tt.host, '/processos/novo'));
    expect(await page.locator('#error-summary').isVisible()).to.equal(true);
    expect(await page.getByLabel('Especificação').inputValue()).to.equal('Sem tipo nem interessado');
    await expectAccessible(page);
    let reposted = false;
    page.on('request', (r) => {
      if (r.method() === 'POST') reposted = true;
    });
    await page.reload();
    expect(reposted).to.equal(false);
    expect(new URL(page.url()).pathname).to.equal('/processos/novo');
  });

  it('lets the administrator upload the brasão, which the header and the documents\' letterhead then show', async () => {
    await harness.logIn(page, w.tt.host, w.tt.admin.email);
    await page.goto(harness.url(w.tt.host, '/administracao/brasao'));
    await expectAccessible(page);
    await page.getByLabel('Imagem do brasão').setInputFiles({ name: 'brasao.png', mimeType: 'image/png', buffer: await samplePng() });
    await page.getByRole('button', { name: 'Enviar o brasão' }).click();
    await page.locator('[data-testid="flash"]', { hasText: 'Brasão salvo.' }).waitFor();
    await expectAccessible(page);
    const loaded = (selector: string) => page.locator(selector).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0 && img.currentSrc);
    expect(await loaded('img.tenant-arms')).to.match(/\/brasao$/);
    expect(await loaded('[data-testid="letterhead-preview"] img')).to.match(/\/brasao\?v=\d+$/);
    expect(await page.locator('[data-testid="letterhead-preview"] .document-letterhead-ente').innerText()).to.equal(w.tt.definition.name.toUpperCase());
  });
});
