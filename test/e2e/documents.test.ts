import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { hashPassword } from '../../server/auth/passwords';
import { extractPdfText } from '../../server/documents/pdfText';
import { docWorld, newProcess, type DocWorld } from '../support/documents';
import { tenantQuery } from '../support/processes';
import { createTestTenant, TEST_PASSWORD } from '../support/tenants';
import { BrowserHarness, expectAccessible, pagePerTest } from './support/browser';
import fs from 'node:fs';

/**
 * An Ofício's life: written and signed in SEGOV, the process sent to SMS, opened there, its QR URL
 * checked on the public page, the process found by a word of the Ofício, and its PDF downloaded.
 */
describe('E2E - documents: write, sign, send, verify, search, PDF', () => {
  const harness = new BrowserHarness();
  let context: BrowserContext;
  let page: Page;

  before(async function () {
    this.timeout(60_000);
    await harness.start();
  });
  after(async () => {
    await harness.stop();
  });
  pagePerTest(harness, 'documents', (p, c) => {
    page = p;
    context = c;
  });

  /** A tenant whose SMS has its own receiving clerk; returns the world and a fresh process. */
  async function setUp(): Promise<{ w: DocWorld; receiver: string; processId: string; processNumber: string; word: string }> {
    const w = await docWorld(await createTestTenant());
    const receiver = `recebedor@${w.tt.definition.slug}.test`;
    const [user] = await tenantQuery<{ id: string }>(w.tt, "INSERT INTO users (name, email, password_hash) VALUES ('Recebedora da Saúde', $1, $2) RETURNING id", [receiver, await hashPassword(TEST_PASSWORD)]);
    await tenantQuery(w.tt, "INSERT INTO user_units (user_id, unit_id, role) VALUES ($1, $2, 'basic') RETURNING id", [user.id, w.ids.units.SMS]);
    const p = await newProcess(w, { specification: 'Pavimentação da Rua das Flores' });
    const word = `paralelepipedo${Date.now() % 100000}`;
    return { w, receiver, processId: p.id, processNumber: p.number, word };
  }

  async function logOut(): Promise<void> {
    await context.clearCookies();
  }

  it('with the mouse', async function () {
    this.timeout(120_000);
    const { w, receiver, processId, processNumber, word } = await setUp();
    const host = w.tt.host;
    await harness.logIn(page, host, w.tt.clerk.email);
    await page.goto(harness.url(host, `/processos/${processId}`));
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Incluir documento', exact: true }).click();
    await expectAccessible(page);
    await page.getByLabel('Tipo de documento').selectOption({ label: 'Ofício (numerado)' });
    await page.getByRole('button', { name: 'Criar e editar' }).click();
    await page.waitForURL(/\/documentos\/\d+\/editar$/);
    await page.locator('.ql-editor').waitFor();
    await expectAccessible(page);
    await page.locator('.ql-editor').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(`Solicitamos orçamento para a pavimentação com ${word}.`);
    await page.getByRole('button', { name: 'Salvar' }).click();
    await page.locator('[data-testid="flash"]', { hasText: 'Documento salvo.' }).waitFor();
    expect(await page.locator('[data-testid="document-body"]').innerText()).to.contain(word);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Assinar' }).click();
    await expectAccessible(page);
    await page.getByLabel('Cargo ou função').selectOption({ label: 'Assessor Técnico' });
    await page.getByLabel('Senha').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Assinar' }).click();
    await page.locator('[data-testid="flash"]', { hasText: 'Documento assinado.' }).waitFor();
    const title = await page.locator('[data-testid="document-title"]').innerText();
    expect(title).to.match(/^Ofício nº 1\/\d{4}\/SEGOV$/);
    expect(await page.locator('[data-testid="signatures"]').innerText()).to.contain('Servidor de Teste, Assessor Técnico');
    await expectAccessible(page);
    await page.screenshot({ path: '/tmp/doc-signed.png', fullPage: true });

    await page.goto(harness.url(host, `/processos/${processId}/enviar`));
    await page.locator(`label[for="unit-${w.ids.units.SMS}"]`).click();
    await page.getByRole('button', { name: 'Enviar' }).click();
    await page.waitForURL((u) => !u.pathname.endsWith('/enviar'));
    await logOut();

    await harness.logIn(page, host, receiver);
    await expectAccessible(page);
    expect(await page.locator(`a[href="/processos/${processId}"]`).first().innerText()).to.contain(processNumber);
    await page.locator(`a[href="/processos/${processId}"]`).first().click();
    await page.waitForURL(harness.url(host, `/processos/${processId}`));
    await page.getByRole('link', { name: title }).click();
    await page.waitForURL(/documento=\d+/);
    expect(await page.locator('[data-testid="document-body"]').innerText()).to.contain(word);
    await expectAccessible(page);
    await page.screenshot({ path: '/tmp/doc-in-process.png', fullPage: true });
    const verifyUrl = (await page.locator('[data-testid="verification-url"]').getAttribute('href'))!;
    expect(verifyUrl).to.match(new RegExp(`^http://${host.replace(/\./g, '\\.')}(:\\d+)?/conferir-autenticidade\\?codigo=\\d{10}&crc=[0-9A-F]{8}$`));
    // The URL is absolute for the configured port; the test server listens on its own.
    const target = new URL(verifyUrl);
    const publicPage = await (await harness.newContext()).newPage();
    await publicPage.goto(harness.url(host, target.pathname + target.search));
    expect(await publicPage.locator('[data-testid="authentic"]').innerText()).to.contain('Documento autêntico').and.contain(title);
    await expectAccessible(publicPage);
    await publicPage.screenshot({ path: '/tmp/doc-authentic.png', fullPage: true });
    await publicPage.context().close();

    await page.getByLabel('Pesquisar processo pelo número ou por palavras').fill(word);
    await page.getByLabel('Pesquisar processo pelo número ou por palavras').press('Enter');
    await page.waitForURL(/\/pesquisa\?q=/);
    expect(await page.locator('[data-testid="results"]').innerText()).to.contain(processNumber);
    await expectAccessible(page);
    await page.screenshot({ path: '/tmp/doc-search.png', fullPage: true });

    await page.goto(harness.url(host, `/processos/${processId}`));
    await page.getByRole('button', { name: 'Gerar PDF do processo' }).click();
    await page.waitForURL(/\/pdf\/[0-9a-f]+$/);
    await expectAccessible(page);
    const download = page.waitForEvent('download');
    await page.getByTestId('download-pdf').click();
    const file = await (await download).path();
    const text = await extractPdfText(fs.readFileSync(file));
    expect(text).to.contain(processNumber).and.contain(word);
  });

  /** Presses Tab (forwards) until the focused element matches `selector`. */
  async function tabTo(target: Page, selector: string, max = 120): Promise<void> {
    for (let i = 0; i < max; i++) {
      if (await target.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
      await target.keyboard.press('Tab');
    }
    throw new Error(`Foco não chegou a ${selector}`);
  }

  it('with the keyboard only, reaching the same end state', async function () {
    this.timeout(120_000);
    const { w, receiver, processId, processNumber, word } = await setUp();
    const host = w.tt.host;
    const keyboardLogin = async (email: string) => {
      await page.goto(harness.url(host, '/login'));
      await tabTo(page, '#email');
      await page.keyboard.type(email);
      await tabTo(page, '#password');
      await page.keyboard.type(TEST_PASSWORD);
      await page.keyboard.press('Enter');
      await page.waitForURL(harness.url(host, '/'));
    };
    await keyboardLogin(w.tt.clerk.email);
    await page.goto(harness.url(host, `/processos/${processId}`));
    await expectAccessible(page);
    await tabTo(page, 'a[href$="/documentos/novo"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/documentos\/novo$/);
    await expectAccessible(page);
    await tabTo(page, '#documentTypeId');
    await page.keyboard.type('Ofício');
    await tabTo(page, 'main button[type="submit"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/documentos\/\d+\/editar$/);
    await page.locator('.ql-editor').waitFor();
    await expectAccessible(page);
    await tabTo(page, '.ql-editor');
    await page.keyboard.press('Control+End');
    await page.keyboard.type(`Pedimos urgência na obra com ${word}.`);
    await tabTo(page, 'main button[type="submit"]');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="flash"]', { hasText: 'Documento salvo.' }).waitFor();
    await expectAccessible(page);
    await tabTo(page, 'a[href$="/assinar"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/assinar$/);
    await expectAccessible(page);
    await tabTo(page, '#signerTitleId');
    await page.keyboard.press('ArrowDown');
    await tabTo(page, '#password');
    await page.keyboard.type(TEST_PASSWORD);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="flash"]', { hasText: 'Documento assinado.' }).waitFor();
    const title = await page.locator('[data-testid="document-title"]').innerText();
    expect(await page.locator('[data-testid="signatures"]').innerText()).to.contain('Assessor Técnico');
    await expectAccessible(page);

    await page.goto(harness.url(host, `/processos/${processId}`));
    await tabTo(page, `a[href="/processos/${processId}/enviar"]`);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/enviar$/);
    await expectAccessible(page);
    await tabTo(page, `#unit-${w.ids.units.SMS}`);
    await page.keyboard.press('Space');
    await tabTo(page, 'main button[type="submit"]');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => !u.pathname.endsWith('/enviar'));
    await context.clearCookies();

    await keyboardLogin(receiver);
    await expectAccessible(page);
    await tabTo(page, `a[href="/processos/${processId}"]`);
    await page.keyboard.press('Enter');
    await page.waitForURL(harness.url(host, `/processos/${processId}`));
    await tabTo(page, '[data-testid="document-panel"] .document-tree a');
    await page.keyboard.press('Enter');
    await page.waitForURL(/documento=\d+/);
    expect((await page.locator('[data-testid="opened-title"]').textContent())?.trim()).to.equal(title);
    expect(await page.locator('[data-testid="document-body"]').innerText()).to.contain(word);
    await expectAccessible(page);
    const target = new URL((await page.locator('[data-testid="verification-url"]').getAttribute('href'))!);
    const publicPage = await (await harness.newContext()).newPage();
    await publicPage.goto(harness.url(host, target.pathname + target.search));
    expect(await publicPage.locator('[data-testid="authentic"]').innerText()).to.contain(title);
    await expectAccessible(publicPage);
    await publicPage.context().close();

    await tabTo(page, '#searchbox');
    await page.keyboard.type(word);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/pesquisa\?q=/);
    expect(await page.locator('[data-testid="results"]').innerText()).to.contain(processNumber);
    await expectAccessible(page);

    await page.goto(harness.url(host, `/processos/${processId}`));
    await tabTo(page, 'form[action$="/pdf"] button');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/pdf\/[0-9a-f]+$/);
    await expectAccessible(page);
    await page.locator('[data-testid="download-pdf"]').waitFor({ state: 'visible' });
    const download = page.waitForEvent('download');
    await tabTo(page, '[data-testid="download-pdf"]');
    await page.keyboard.press('Enter');
    const text = await extractPdfText(fs.readFileSync((await (await download).path())!));
    expect(text).to.contain(processNumber).and.contain(word);
  });
});
