import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { FailureThrottle } from '../../server/auth/failureThrottle';
import { createInternalDocument, saveDocumentBody } from '../../server/documents/service';
import { signDocument } from '../../server/signatures/service';
import { docWorld, inWorld, newProcess, type DocWorld } from '../support/documents';
import { testEnv } from '../support/environment';
import { createTestTenant, TEST_PASSWORD } from '../support/tenants';
import { BrowserHarness, expectAccessible, pagePerTest } from './support/browser';

/** Consulta pública in Chromium, anonymous: from the login page to a signed público document, and a restrito process. */
describe('E2E - consulta pública', () => {
  const harness = new BrowserHarness();
  let w: DocWorld;
  let page: Page;
  let pub: { id: string; number: string };
  let restr: { id: string; number: string };

  before(async function () {
    this.timeout(60_000);
    await harness.start();
    w = await docWorld(await createTestTenant());
    pub = await newProcess(w, { specification: 'Reforma da praça central', parties: [{ name: 'Joana Pública' }] });
    restr = await newProcess(w, { processTypeId: w.ids.types['Pessoal: licença'], specification: 'Licença do servidor', accessLevel: 'restricted', legalBasisId: '1', parties: [{ name: 'Rita Restrita' }] });
    const d = await inWorld(w, () => createInternalDocument(w.clerk, pub.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
    await inWorld(w, () => saveDocumentBody(w.clerk, String(d.id), '<p>Autorizo a reforma da praça.</p>'));
    await inWorld(w, () => signDocument(w.clerk, String(d.id), { signerTitleId: w.titles.clerk, password: TEST_PASSWORD }, new FailureThrottle(testEnv().sequelize, 'e2e-sign', 50, 60)));
  });
  pagePerTest(harness, 'public-consultation', (p) => {
    page = p;
  });
  after(() => harness.stop());

  it('finds a público process by number, reads its signed document with the verification block', async function () {
    this.timeout(90_000);
    await page.goto(harness.url(w.tt.host, '/'));
    await page.getByRole('link', { name: 'consulta pública de processos', exact: true }).click();
    await page.waitForURL(harness.url(w.tt.host, '/consulta-publica'));
    await expectAccessible(page, 'consulta pública');
    await page.getByLabel('Número do processo (NUP)').fill(pub.number.replace(/\D/g, ''));
    await page.getByRole('button', { name: 'Consultar' }).click();
    await page.waitForURL(/numero=/);
    expect(await page.getByTestId('hit').count()).to.equal(1);
    await expectAccessible(page, 'resultados da consulta pública');
    await page.getByRole('link', { name: pub.number }).click();
    expect(await page.locator('h1').innerText()).to.equal(`Processo ${pub.number}`);
    expect(await page.getByTestId('parties').innerText()).to.equal('Joana Pública');
    await expectAccessible(page, 'processo público');
    await page.getByTestId('documents').getByRole('link').first().click();
    expect(await page.getByTestId('document-body').innerText()).to.include('Autorizo a reforma da praça.');
    expect(await page.getByTestId('verification-code').innerText()).to.match(/^\d{10}$/);
    await expectAccessible(page, 'documento público');
  });

  it('shows a restrito process as existing only, and explains a bad number next to the field (keyboard only)', async function () {
    this.timeout(90_000);
    await page.goto(harness.url(w.tt.host, '/consulta-publica'));
    await page.keyboard.press('Tab');
    await page.getByLabel('Número do processo (NUP)').focus();
    await page.keyboard.type('12345');
    await page.keyboard.press('Enter');
    await page.waitForURL(/numero=12345/);
    expect(await page.locator('#numero-error').innerText()).to.include('NUP');
    await expectAccessible(page, 'consulta pública com erro');
    await page.getByLabel('Número do processo (NUP)').fill(restr.number);
    await page.keyboard.press('Enter');
    await page.waitForURL(/numero=/);
    await page.getByRole('link', { name: restr.number }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/consulta-publica\/processos\//);
    expect(await page.getByTestId('restricted').innerText()).to.include('Hipótese legal');
    expect(await page.content()).to.not.include('Rita Restrita');
    await expectAccessible(page, 'processo restrito');
  });
});
