import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { FailureThrottle } from '../../server/auth/failureThrottle';
import { createInternalDocument } from '../../server/documents/service';
import { signDocument } from '../../server/signatures/service';
import { setReceivingUnit, setTramitaDefaults } from '../../server/tramita/admin';
import { attachPdf, type DocWorld, docWorld, inWorld, newProcess } from '../support/documents';
import { testEnv } from '../support/environment';
import { tenantQuery } from '../support/processes';
import { createTestTenant, TEST_PASSWORD } from '../support/tenants';
import { BrowserHarness, expectAccessible } from './support/browser';
import { chooseFilesByKeyboard } from './support/keyboard';

/**
 * Tramita in the browser (issue 14): one government sends a process with a signed ofício and a PDF to
 * another's receiving unit, which opens the verified package and accepts it. axe on every new page.
 */
describe('E2E - Tramita: a process travels to another government', () => {
  const harness = new BrowserHarness();
  let origin: DocWorld;
  let receiver: DocWorld;
  let originCtx: BrowserContext;
  let receiverCtx: BrowserContext;
  let sender: Page;
  let recipient: Page;
  let processId: string;
  let processNumber: string;

  before(async function () {
    this.timeout(90_000);
    await harness.start();
    origin = await docWorld(await createTestTenant());
    receiver = await docWorld(await createTestTenant());
    await inWorld(receiver, () => setReceivingUnit(receiver.ids.units.SEGOV, true));
    await inWorld(receiver, () => setTramitaDefaults({ defaultSendEspecie: null, defaultReceiveDocumentTypeId: receiver.docTypes['Anexo'], defaultLegalBasisId: null, receivedProcessTypeId: null }));
    await inWorld(origin, () => setTramitaDefaults({ defaultSendEspecie: 999, defaultReceiveDocumentTypeId: origin.docTypes['Anexo'], defaultLegalBasisId: null, receivedProcessTypeId: null }));
    // The return trip: the receiver sends back (its types default to "Outra"), the origin receives in SEGOV.
    await inWorld(origin, () => setReceivingUnit(origin.ids.units.SEGOV, true));
    await inWorld(receiver, () => setTramitaDefaults({ defaultSendEspecie: 999, defaultReceiveDocumentTypeId: receiver.docTypes['Anexo'], defaultLegalBasisId: null, receivedProcessTypeId: null }));
    const p = await newProcess(origin);
    processId = p.id;
    processNumber = p.number;
    const d = await inWorld(origin, () => createInternalDocument(origin.clerk, p.id, { documentTypeId: origin.docTypes['Ofício'], complement: null, accessLevel: 'public', legalBasisId: null }));
    await inWorld(origin, () => signDocument(origin.clerk, String(d.id), { signerTitleId: origin.titles.clerk, password: TEST_PASSWORD }, new FailureThrottle(testEnv().sequelize, `e2e-tramita-${Date.now()}`, 5, 60)));
    await attachPdf(origin, p.id, 'Planilha de custos', { complement: 'Planilha de custos', fileName: 'planilha.pdf' });
    originCtx = await harness.newContext();
    receiverCtx = await harness.newContext();
    sender = await originCtx.newPage();
    recipient = await receiverCtx.newPage();
    await harness.logIn(sender, origin.tt.host, origin.tt.clerk.email);
    await harness.logIn(recipient, receiver.tt.host, receiver.tt.clerk.email);
  });
  after(async () => {
    await originCtx?.close();
    await receiverCtx?.close();
    await harness.stop();
  });

  it('sends from the process page through an accessible form, and shows the in-transit banner', async function () {
    this.timeout(60_000);
    await sender.goto(harness.url(origin.tt.host, `/processos/${processId}`));
    await sender.getByRole('link', { name: 'Enviar para outro órgão' }).click();
    expect(await sender.locator('h1').innerText()).to.equal('Enviar para outro órgão');
    // The type-ahead: the list follows what is typed, without leaving the page.
    await sender.getByLabel('Procurar pelo nome do ente ou da unidade').fill(receiver.tt.tenant.name);
    // (its protocol unit, seeded as receiving, and SEGOV, marked in this test).
    await sender.locator('[data-directory-status]').filter({ hasText: '2 unidades receptoras encontradas' }).waitFor({ state: 'attached' });
    expect(new URL(sender.url()).search).to.equal('');
    const listed = await sender.locator('[data-directory-list] input[name="destino"]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    expect(listed.every((v) => v.startsWith(`${receiver.tt.tenant.id}:`))).to.equal(true);
    expect(listed).to.include(`${receiver.tt.tenant.id}:${receiver.ids.units.SEGOV}`);
    await expectAccessible(sender);
    // gov.br DS radios: the label is what the pointer clicks.
    await sender.locator(`label[for="destino-${receiver.tt.tenant.id}-${receiver.ids.units.SEGOV}"]`).click();
    await sender.getByLabel('Mensagem ao destinatário (opcional)').fill('Para análise da Secretaria');
    await sender.getByRole('button', { name: 'Enviar para outro órgão' }).click();
    await sender.waitForURL(harness.url(origin.tt.host, `/processos/${processId}`));
    expect(await sender.getByTestId('tramita-banner').innerText()).to.contain(`Em trâmite externo para ${receiver.tt.tenant.name}`);
    await expectAccessible(sender);
  });

  it('lists the package at the receiver, verifies it on an accessible page, and accepts it', async function () {
    this.timeout(60_000);
    await recipient.goto(harness.url(receiver.tt.host, '/tramita/recebidos'));
    await expectAccessible(recipient);
    await recipient.getByRole('link', { name: processNumber }).click();
    expect(await recipient.locator('h1').innerText()).to.equal(`Processo ${processNumber}`);
    expect(await recipient.getByTestId('components').innerText()).to.contain('Íntegro');
    await expectAccessible(recipient);
    await recipient.getByRole('button', { name: 'Aceitar e registrar o processo' }).click();
    await recipient.waitForURL(/\/processos\/[0-9]+$/);
    expect(await recipient.getByTestId('process-number').innerText()).to.equal(processNumber);
    expect(await recipient.getByTestId('tramita-receipts').innerText()).to.contain('Recibo de conclusão');
    // The PDF keeps the name it had at the origin, complement included.
    expect(await recipient.locator('main').innerText()).to.contain('Planilha de custos');
  });

  it('downloads the receipt at both ends; the receiver sends it back with a new document and the origin receives only that one', async function () {
    this.timeout(90_000);
    const receiptLink = async (page: Page): Promise<void> => {
      const href = await page.getByTestId('tramita-receipts').locator('a').first().getAttribute('href');
      // Fetched by the page itself (the browser resolves the tenant hosts), with its session.
      const pdf = await page.evaluate(async (url) => {
        const r = await fetch(url, { credentials: 'same-origin' });
        return { status: r.status, type: r.headers.get('content-type') ?? '', head: new TextDecoder().decode((await r.arrayBuffer()).slice(0, 5)) };
      }, href!);
      expect(pdf).to.deep.equal({ status: 200, type: 'application/pdf', head: '%PDF-' });
    };
    await receiptLink(recipient);
    await sender.goto(harness.url(origin.tt.host, `/processos/${processId}`));
    expect(await sender.getByTestId('tramita-receipts').innerText()).to.contain('Recibo de conclusão');
    await receiptLink(sender);

    const [atReceiver] = await tenantQuery<{ id: string }>(receiver.tt, 'SELECT id FROM processes WHERE number = $1', [processNumber]);
    const parecer = await attachPdf(receiver, String(atReceiver.id), 'Parecer da Secretaria', { complement: 'Parecer da Secretaria', documentDate: '2026-12-01', fileName: 'parecer.pdf' });
    await recipient.goto(harness.url(receiver.tt.host, `/processos/${atReceiver.id}`));
    await recipient.getByRole('link', { name: 'Enviar para outro órgão' }).click();
    await recipient.getByLabel('Procurar pelo nome do ente ou da unidade').fill(origin.tt.tenant.name);
    await recipient.getByRole('button', { name: 'Procurar' }).click();
    await recipient.locator(`label[for="destino-${origin.tt.tenant.id}-${origin.ids.units.SEGOV}"]`).click();
    await recipient.getByRole('button', { name: 'Enviar para outro órgão' }).click();
    await recipient.waitForURL(harness.url(receiver.tt.host, `/processos/${atReceiver.id}`));
    expect(await recipient.getByTestId('tramita-banner').innerText()).to.contain(`Em trâmite externo para ${origin.tt.tenant.name}`);

    const documentsBefore = await tenantQuery<{ id: string }>(origin.tt, 'SELECT id FROM documents WHERE process_id = $1', [processId]);
    await sender.goto(harness.url(origin.tt.host, '/tramita/recebidos'));
    await sender.getByRole('link', { name: processNumber }).click();
    const components = await sender.getByTestId('components').innerText();
    expect(components).to.contain('Já neste órgão (não viajou de novo)');
    expect(components).to.contain('Íntegro');
    expect(await sender.getByTestId('returning').innerText()).to.contain('só os documentos novos são juntados');
    await expectAccessible(sender, 'Pacote de volta (componentes já no órgão)');
    await sender.getByRole('button', { name: 'Aceitar e registrar o processo' }).click();
    await sender.waitForURL(harness.url(origin.tt.host, `/processos/${processId}`));
    expect(await sender.getByTestId('flash').innerText()).to.contain('Processo recebido de volta: 1 documento(s) novo(s)');
    const documentsAfter = await tenantQuery<{ id: string; file_sha256: string | null }>(origin.tt, 'SELECT id, file_sha256 FROM documents WHERE process_id = $1 ORDER BY id', [processId]);
    expect(documentsAfter.length).to.equal(documentsBefore.length + 1);
    expect(documentsAfter[documentsAfter.length - 1].file_sha256).to.equal(parecer.fileSha256);
    expect(await sender.getByTestId('tramita-receipts').locator('a').count()).to.equal(2);
    await expectAccessible(sender, 'Processo de volta à origem');
  });

  /** Tabs until the focused element matches `selector` (keyboard only). */
  async function tabTo(page: Page, selector: string, max = 120): Promise<void> {
    for (let i = 0; i < max; i++) {
      if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`Tab não chegou a ${selector} em ${page.url()}`);
  }

  /** From the process page, by keyboard only: "Enviar para outro órgão", search `to`, choose its SEGOV, send; the banner shows. */
  async function sendByKeyboard(page: Page, from: DocWorld, processId: string, to: DocWorld): Promise<void> {
    await page.goto(harness.url(from.tt.host, `/processos/${processId}`));
    await tabTo(page, `a[href="/processos/${processId}/enviar-outro-orgao"]`);
    await page.keyboard.press('Enter');
    await page.waitForURL(/enviar-outro-orgao/);
    await tabTo(page, '#q');
    await page.keyboard.type(to.tt.tenant.name);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\?q=/);
    // A radio group is one Tab stop: Tab reaches it, the arrows move (and check) within it.
    await tabTo(page, 'input[name="destino"]');
    const target = `#destino-${to.tt.tenant.id}-${to.ids.units.SEGOV}`;
    for (let i = 0; i < 60 && !(await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, target)); i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    expect(await page.locator(target).isChecked()).to.equal(true);
    await tabTo(page, 'form[method="post"] button[type="submit"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(harness.url(from.tt.host, `/processos/${processId}`));
    expect(await page.getByTestId('tramita-banner').innerText()).to.contain(`Em trâmite externo para ${to.tt.tenant.name}`);
  }

  it('does the same journey with the keyboard only (Tab, typing, Space, Enter)', async function () {
    this.timeout(90_000);
    const p = await newProcess(origin);
    const d = await inWorld(origin, () => createInternalDocument(origin.clerk, p.id, { documentTypeId: origin.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
    await inWorld(origin, () => signDocument(origin.clerk, String(d.id), { signerTitleId: origin.titles.clerk, password: TEST_PASSWORD }, new FailureThrottle(testEnv().sequelize, `e2e-tramita-kb-${Date.now()}`, 5, 60)));
    await sendByKeyboard(sender, origin, p.id, receiver);

    await recipient.goto(harness.url(receiver.tt.host, '/tramita/recebidos'));
    await tabTo(recipient, '[data-testid="received-transfers"] a');
    expect(await recipient.evaluate(() => document.activeElement?.textContent)).to.equal(p.number);
    await recipient.keyboard.press('Enter');
    await recipient.waitForURL(/\/tramita\/recebidos\/[0-9]+$/);
    await tabTo(recipient, 'form[action$="/aceitar"] button');
    await recipient.keyboard.press('Enter');
    await recipient.waitForURL(/\/processos\/[0-9]+$/);
    expect(await recipient.getByTestId('process-number').innerText()).to.equal(p.number);

    // The return trip, by keyboard too: the receiver adds a parecer and sends the process back; the origin takes back only that.
    const receivedId = /\/processos\/([0-9]+)$/.exec(recipient.url())![1];
    await attachPdf(receiver, receivedId, `Parecer ${p.number}`, { complement: 'Parecer', documentDate: '2026-12-02', fileName: 'parecer.pdf' });
    await sendByKeyboard(recipient, receiver, receivedId, origin);

    await sender.goto(harness.url(origin.tt.host, '/tramita/recebidos'));
    await tabTo(sender, '[data-testid="received-transfers"] a');
    expect(await sender.evaluate(() => document.activeElement?.textContent)).to.equal(p.number);
    await sender.keyboard.press('Enter');
    await sender.waitForURL(/\/tramita\/recebidos\/[0-9]+$/);
    expect(await sender.getByTestId('returning').innerText()).to.contain('só os documentos novos são juntados');
    await tabTo(sender, 'form[action$="/aceitar"] button');
    await sender.keyboard.press('Enter');
    await sender.waitForURL(harness.url(origin.tt.host, `/processos/${p.id}`));
    expect(await sender.getByTestId('flash').innerText()).to.contain('Processo recebido de volta: 1 documento(s) novo(s)');
  });

  it('exports the package as a file and imports it at a receiving unit, with the same verification (keyboard only)', async function () {
    this.timeout(90_000);
    const p = await newProcess(origin);
    const d = await inWorld(origin, () => createInternalDocument(origin.clerk, p.id, { documentTypeId: origin.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
    await inWorld(origin, () => signDocument(origin.clerk, String(d.id), { signerTitleId: origin.titles.clerk, password: TEST_PASSWORD }, new FailureThrottle(testEnv().sequelize, `e2e-tramita-file-${Date.now()}`, 5, 60)));
    await sender.goto(harness.url(origin.tt.host, `/processos/${p.id}/enviar-outro-orgao`));
    await tabTo(sender, `a[href="/processos/${p.id}/exportar-tramite"]`);
    const [download] = await Promise.all([sender.waitForEvent('download'), sender.keyboard.press('Enter')]);
    expect(download.suggestedFilename()).to.match(/^tramite-[0-9]+\.zip$/);
    const file = await download.path();

    await recipient.goto(harness.url(receiver.tt.host, '/tramita/recebidos'));
    await chooseFilesByKeyboard(recipient, '#arquivo', file);
    await tabTo(recipient, 'form[action="/tramita/recebidos/importar"] button[type="submit"]');
    await recipient.keyboard.press('Enter');
    await recipient.waitForURL(/\/tramita\/recebidos\/[0-9]+$/);
    expect(await recipient.getByTestId('imported').innerText()).to.contain('fora do PEN Nuvem');
    expect(await recipient.getByTestId('components').innerText()).to.contain('Íntegro');
    await expectAccessible(recipient, 'Pacote importado de arquivo');
    await tabTo(recipient, 'form[action$="/aceitar"] button');
    await recipient.keyboard.press('Enter');
    await recipient.waitForURL(/\/processos\/[0-9]+$/);
    expect(await recipient.getByTestId('process-number').innerText()).to.equal(p.number);
  });

  it('keeps the Tramita administration page accessible', async function () {
    this.timeout(60_000);
    const admin = await harness.newContext();
    const page = await admin.newPage();
    try {
      await harness.logIn(page, receiver.tt.host, receiver.tt.admin.email);
      await page.goto(harness.url(receiver.tt.host, '/administracao/tramita'));
      expect(await page.locator('h1').innerText()).to.equal('Trâmite entre órgãos');
      await expectAccessible(page);
    } finally {
      await admin.close();
    }
  });
});
