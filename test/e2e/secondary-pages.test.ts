import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { createInternalDocument, saveDocumentBody } from '../../server/documents/service';
import { docWorld, inWorld, newProcess, type DocWorld } from '../support/documents';
import { createTestTenant, TEST_PASSWORD } from '../support/tenants';
import { BrowserHarness, expectAccessible } from './support/browser';

/**
 * The pages a clerk reaches less often than the main journeys — batch send, alterar, the document
 * list, versions and their comparison, cancel, a number that finds nothing — checked with axe like
 * every other page.
 */
describe('E2E - secondary process and document pages', () => {
  const harness = new BrowserHarness();
  let w: DocWorld;
  let context: BrowserContext;
  let page: Page;
  let processId: string;
  let documentId: string;

  before(async function () {
    this.timeout(60_000);
    await harness.start();
    w = await docWorld(await createTestTenant());
    processId = (await newProcess(w)).id;
    const doc = await inWorld(w, () =>
      createInternalDocument(w.clerk, processId, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }),
    );
    documentId = String(doc.id);
    await inWorld(w, () => saveDocumentBody(w.clerk, documentId, '<p>Encaminhe-se à Secretaria de Saúde para parecer.</p>'));
    context = await harness.newContext();
    page = await context.newPage();
    await page.goto(harness.url(w.tt.host, '/login'));
    await page.getByLabel('E-mail').fill(w.tt.clerk.email);
    await page.getByLabel('Senha').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.waitForURL(harness.url(w.tt.host, '/'));
  });
  after(async () => {
    await context?.close();
    await harness.stop();
  });

  const pages: [string, () => string, RegExp][] = [
    ['batch send', () => `/processos/enviar?ids=${processId}`, /Enviar/],
    ['alterar', () => `/processos/${processId}/alterar`, /Alterar/],
    ['document list', () => `/processos/${processId}/documentos`, /Documentos do processo/],
    ['new external document', () => `/processos/${processId}/documentos/externo/novo`, /externo/i],
    ['versions', () => `/documentos/${documentId}/versoes`, /Versões/],
    ['version comparison', () => `/documentos/${documentId}/versoes/comparar?de=1&para=2`, /Comparar/],
    ['cancel', () => `/documentos/${documentId}/cancelar`, /Cancelar/],
  ];
  for (const [name, path, heading] of pages) {
    it(`keeps the ${name} page accessible`, async () => {
      const res = await page.goto(harness.url(w.tt.host, path()));
      expect(res?.status(), name).to.be.lessThan(500);
      expect(await page.locator('h1').innerText()).to.match(heading);
      await expectAccessible(page);
    });
  }

  it('masks CPF and CNPJ as the clerk types them', async () => {
    await page.goto(harness.url(w.tt.host, `/processos/${processId}/alterar`));
    const field = page.locator('#partyDocument1');
    await field.fill('');
    await field.pressSequentially('52998224725');
    expect(await field.inputValue()).to.equal('529.982.247-25');
    await field.fill('');
    await field.pressSequentially('12ABC34501DE35');
    expect(await field.inputValue()).to.equal('12.ABC.345/01DE-35');
  });

  it('explains a process number that finds nothing, on an accessible page', async () => {
    const res = await page.goto(harness.url(w.tt.host, '/processos/numero?numero=99999.999999/2020-00'));
    expect(res?.status()).to.equal(404);
    expect(await page.locator('h1').innerText()).to.equal('Processo não encontrado');
    await expectAccessible(page);
  });
});
