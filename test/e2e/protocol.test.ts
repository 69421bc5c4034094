import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { OutboxMessage } from '../../server/models';
import { samplePdf, samplePng } from '../support/files';
import { agentFor, csrfFrom, postForm } from '../support/http';
import { clearProtocolLimits, CPFS, fileGeneralRequest, linkFromOutbox, tenantRows } from '../support/protocol';
import { createTestTenant, type TestTenant } from '../support/tenants';
import { BrowserHarness, expectAccessible, pagePerTest } from './support/browser';
import { chooseFilesByKeyboard } from './support/keyboard';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signedIn } from '../support/fixtures';

const SHOTS = process.env.PROTOCOL_SHOTS;

/**
 * A citizen files "Requerimento geral" with two attachments on the tenant's portal: identifies,
 * confirms the e-mail by its link, fills in, reviews, submits, reads the receipt and follows the
 * request with number and code. Once with the mouse, once with the keyboard only.
 */
describe('E2E - protocol: a citizen files and follows a request', () => {
  const harness = new BrowserHarness();
  let context: BrowserContext;
  let page: Page;
  let t: TestTenant;
  let files: { pdf: string; png: string };

  before(async function () {
    this.timeout(60_000);
    await harness.start();
    t = await createTestTenant({
      users: [
        { name: 'Administradora de Teste', email: 'admin@e2e-prot.test', units: [{ acronym: 'PMT', role: 'admin' }] },
        { name: 'Paulo do Protocolo', email: 'protocolo@e2e-prot.test', units: [{ acronym: 'SEGOV', role: 'protocol' }, { acronym: 'SEGOV', role: 'basic' }] },
      ],
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'protocolo-'));
    files = { pdf: path.join(dir, 'identidade.pdf'), png: path.join(dir, 'foto.png') };
    fs.writeFileSync(files.pdf, await samplePdf('Carteira de identidade'));
    fs.writeFileSync(files.png, await samplePng());
  });
  after(async () => {
    await clearProtocolLimits();
    await harness.stop();
  });
  beforeEach(() => clearProtocolLimits());
  pagePerTest(harness, 'protocol', (p, c) => {
    page = p;
    context = c;
  });

  let shot = 0;
  async function checkPage(p: Page): Promise<void> {
    await expectAccessible(p);
    if (SHOTS) await p.screenshot({ path: path.join(SHOTS, `${String(++shot).padStart(2, '0')}.png`), fullPage: true });
  }
  const check = (): Promise<void> => checkPage(page);

  async function confirmationLink(email: string): Promise<string> {
    return harness.url(t.host, await linkFromOutbox(email, '/protocolo/confirmar'));
  }

  it('with the mouse', async function () {
    this.timeout(300_000);
    const email = 'joana@cidada.test';
    await page.goto(harness.url(t.host, '/protocolo'));
    await check();
    await page.getByLabel('Pesquisar serviço', { exact: true }).fill('requerimento');
    await page.getByRole('button', { name: 'Buscar serviços' }).click();
    await check();
    await page.getByRole('link', { name: 'Requerimento geral' }).click();
    await check();
    await page.getByLabel('Nome completo').fill('Joana');
    await page.getByLabel('CPF').fill('111.111.111-11');
    await page.getByLabel('E-mail').fill(email);
    await page.getByRole('button', { name: 'Enviar link de confirmação' }).click();
    expect(await page.locator('#cpf-error').innerText()).to.contain('CPF inválido');
    await check();
    await page.getByLabel('Nome completo').fill('Joana Batista Reis');
    await page.getByLabel('CPF').fill(CPFS[0]);
    await page.getByRole('button', { name: 'Enviar link de confirmação' }).click();
    await page.locator('[data-testid="check-email"]').waitFor();
    await check();
    await page.goto(await confirmationLink(email));
    await page.waitForURL(/\/formulario$/);
    await check();
    await page.getByRole('button', { name: 'Revisar' }).click();
    expect(await page.locator('#campo_c1-error').innerText()).to.contain('Preencha');
    await check();
    await page.getByLabel('Assunto (obrigatório)').fill('Poda de árvore');
    await page.getByLabel('Descrição do pedido (obrigatório)').fill('Peço a poda da árvore em frente ao número 10 da Rua das Flores.');
    await page.getByLabel('Documento de identificação (opcional)').setInputFiles(files.pdf);
    await page.getByLabel('Outros documentos (opcional)').setInputFiles(files.png);
    await page.getByRole('button', { name: 'Revisar' }).click();
    await page.waitForURL(/\/revisao$/);
    await check();
    expect(await page.locator('[data-testid="files"] li').count()).to.equal(2);
    await page.getByRole('button', { name: 'Enviar solicitação' }).click();
    expect(await page.locator('#declaracao-error').innerText()).to.contain('declaração');
    await check();
    await page.locator('label[for="declaracao-sim"]').click();
    await page.getByRole('button', { name: 'Enviar solicitação' }).click();
    await page.waitForURL(/\/protocolo\/recibo$/);
    await check();
    const number = await page.locator('[data-testid="request-number"]').innerText();
    const code = await page.locator('[data-testid="access-code"]').innerText();
    const pdfType = await page.evaluate(async () => (await fetch('/protocolo/recibo.pdf')).headers.get('content-type'));
    expect(pdfType).to.equal('application/pdf');

    await context.clearCookies();
    await page.goto(harness.url(t.host, '/protocolo/acompanhar'));
    await check();
    await page.getByLabel('Número da solicitação').fill(number);
    await page.getByLabel('Código de acesso').fill('AAAA-BBBB-CCCC-DDDD');
    await page.getByRole('button', { name: 'Acompanhar' }).click();
    expect(await page.locator('#error-summary').innerText()).to.contain('não conferem');
    await check();
    await page.getByLabel('Código de acesso').fill(code);
    await page.getByRole('button', { name: 'Acompanhar' }).click();
    await page.waitForURL(/\/protocolo\/acompanhar\/solicitacao$/);
    expect(await page.locator('[data-testid="request-status"]').innerText()).to.contain('Recebida');
    await check();

    // The Protocolo user of the receiving unit converts it into a process.
    const staffContext = await harness.newContext();
    const staff = await staffContext.newPage();
    await harness.logIn(staff, t.host, 'protocolo@e2e-prot.test');
    expect(await staff.locator('[data-testid="protocol-unread"]').innerText()).to.match(/^1/);
    await staff.getByRole('link', { name: /^Protocolo/ }).click();
    await staff.waitForURL(/\/triagem$/);
    await checkPage(staff);
    await staff.getByRole('link', { name: new RegExp(number) }).click();
    await staff.waitForURL(/\/triagem\/\d+$/);
    await checkPage(staff);
    await staff.locator('label[for="destino-novo"]').click();
    await staff.getByRole('button', { name: 'Converter em processo' }).click();
    await staff.locator('[data-testid="flash"]', { hasText: 'Solicitação convertida em processo.' }).waitFor({ timeout: 180_000 });
    await checkPage(staff);
    const nup = await staff.locator('[data-testid="triage-process"]').innerText();
    expect(nup).to.match(/^\d{5}\.\d{6}\/\d{4}-\d{2}$/);
    await staffContext.close();

    // The citizen reads the NUP in the e-mail and follows the request.
    const update = await OutboxMessage.findOne({ where: { toAddress: email }, order: [['id', 'DESC']] });
    expect(update?.text).to.contain(nup);
    const mail = await linkFromOutbox(email, '/protocolo/acompanhar', /recebida/);
    await page.goto(harness.url(t.host, mail));
    await page.waitForURL(/\/protocolo\/acompanhar\/solicitacao$/);
    expect(await page.locator('[data-testid="process-number"]').innerText()).to.equal(nup);
    await check();

    // Staff intimate the interessado of a decision from the process; the citizen acknowledges it.
    const deciderContext = await harness.newContext();
    const decider = await deciderContext.newPage();
    await harness.logIn(decider, t.host, 'protocolo@e2e-prot.test');
    await decider.goto(harness.url(t.host, `/processos/numero?numero=${encodeURIComponent(nup)}`));
    await decider.waitForURL(/\/processos\/\d+$/);
    await decider.getByRole('link', { name: 'Intimar o interessado de uma decisão' }).click();
    await decider.waitForURL(/\/intimar$/);
    await checkPage(decider);
    await decider.getByRole('button', { name: 'Enviar intimação' }).click();
    expect(await decider.locator('#decisao-error').innerText()).to.contain('decisão');
    await checkPage(decider);
    await decider.getByLabel('Decisão').fill('Deferida a poda; a equipe irá ao local em até 15 dias.');
    await decider.getByLabel('Documentos (opcional)').setInputFiles(files.pdf);
    await decider.getByRole('button', { name: 'Enviar intimação' }).click();
    await decider.waitForURL(/\/processos\/\d+$/);
    expect(await decider.locator('[data-testid="process-intimations"] [data-testid="intimation-status"]').innerText()).to.equal('Pendente');
    await checkPage(decider);

    await page.reload();
    expect(await page.locator('[data-testid="intimation-pending"]').innerText()).to.contain('ciência');
    await check();
    await page.getByRole('button', { name: 'Abrir e registrar ciência' }).click();
    await page.waitForURL(/#intimacao-\d+$/);
    expect(await page.locator('[data-testid="answer"]').innerText()).to.contain('Deferida a poda');
    expect(await page.locator('[data-testid="intimation-ack"]').innerText()).to.contain('Cumprida por consulta');
    await check();
    await page.getByRole('button', { name: 'Juntar documentos' }).click();
    expect(await page.locator('#documentos-error').innerText()).to.contain('pelo menos um');
    await check();
    await page.getByLabel('Documentos', { exact: true }).setInputFiles(files.png);
    await page.getByRole('button', { name: 'Juntar documentos' }).click();
    await page.waitForURL(/#peticionamento$/);
    expect(await page.locator('[data-testid="flash"]').innerText()).to.contain('juntado(s) ao processo');
    await check();

    await decider.reload();
    expect(await decider.locator('[data-testid="process-intimations"] [data-testid="intimation-status"]').innerText()).to.equal('Respondida');
    await checkPage(decider);
    await deciderContext.close();
  });

  it('keeps the administration, complementação and invalid-link pages accessible', async function () {
    this.timeout(300_000);
    await harness.logIn(page, t.host, 'admin@e2e-prot.test');
    await page.goto(harness.url(t.host, '/administracao/servicos'));
    await check();
    await page.getByRole('link', { name: 'Novo serviço' }).click();
    await check();
    await page.getByRole('button', { name: 'Salvar' }).click();
    expect(await page.locator('#name-error').innerText()).to.contain('nome');
    await check();
    await page.goto(harness.url(t.host, '/administracao/servicos'));
    await page.getByRole('link', { name: 'Requerimento geral' }).click();
    await check();

    const filer = agentFor(t.host);
    const filed = await fileGeneralRequest(filer, t, { name: 'Rita Complemento Alves', cpf: CPFS[2], email: 'rita@cidada.test' });
    const [row] = await tenantRows<{ id: string }>(t, 'SELECT id::text FROM tenant.citizen_requests WHERE number = $1', [filed.number]);
    const staff = await signedIn(t.host, 'protocolo@e2e-prot.test');
    await postForm(staff, `/triagem/${row.id}`, `/triagem/${row.id}/complementacao`, { mensagem: 'Anexe o comprovante de residência.', prazo: '15' }, 303);

    const citizen = await harness.newContext();
    const cpage = await citizen.newPage();
    await cpage.goto(harness.url(t.host, await linkFromOutbox('rita@cidada.test', '/protocolo/complementar')));
    await cpage.waitForURL(/\/protocolo\/complementar$/);
    await checkPage(cpage);
    await cpage.getByLabel('Outros documentos (novo arquivo, opcional)').setInputFiles(files.pdf);
    await cpage.getByRole('button', { name: 'Enviar complementação' }).click();
    await cpage.waitForURL(/\/protocolo\/acompanhar\/solicitacao$/);
    expect(await cpage.locator('[data-testid="request-status"]').innerText()).to.contain('Em análise');
    await cpage.goto(harness.url(t.host, '/protocolo/confirmar?token=invalido'));
    await checkPage(cpage);
    await citizen.close();
  });

  /** Tabs until the focused element matches `selector` (keyboard only). */
  async function tabTo(selector: string, max = 60): Promise<void> {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    }
    throw new Error(`Foco não chegou a ${selector}`);
  }

  it('with the keyboard only (Tab, typing, Space, Enter)', async function () {
    this.timeout(300_000);
    const email = 'teclado@cidada.test';
    await page.goto(harness.url(t.host, '/protocolo'));
    await tabTo('a[href^="/protocolo/servicos/"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/protocolo\/servicos\/\d+$/);
    await check();
    await tabTo('#name');
    await page.keyboard.type('Teodoro Teclado Lima');
    await tabTo('#cpf');
    await page.keyboard.type(CPFS[1]);
    await tabTo('#email');
    await page.keyboard.type(email);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="check-email"]').waitFor();
    await page.goto(await confirmationLink(email));
    await page.waitForURL(/\/formulario$/);
    await tabTo('#campo_c1');
    await page.keyboard.type('Iluminação pública');
    await tabTo('#campo_c2');
    await page.keyboard.type('A lâmpada do poste da esquina está queimada.');
    await tabTo('button[type="submit"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/revisao$/);
    await check();
    await tabTo('#declaracao-sim');
    await page.keyboard.press('Space');
    await tabTo('form[action$="/enviar"] button[type="submit"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/protocolo\/recibo$/);
    const number = await page.locator('[data-testid="request-number"]').innerText();
    expect(number).to.match(/^\d{6}\/\d{4}$/);
    const code = await page.locator('[data-testid="access-code"]').innerText();
    await check();

    // Staff convert it and intimate the interessado of a decision (their screens are covered above).
    const [request] = await tenantRows<{ id: string }>(t, 'SELECT id::text FROM tenant.citizen_requests WHERE number = $1', [number]);
    const staff = await signedIn(t.host, 'protocolo@e2e-prot.test');
    await postForm(staff, `/triagem/${request.id}`, `/triagem/${request.id}/converter`, { destino: 'novo', especificacao: 'Iluminação da esquina' }, 303);
    const [{ process_id: processId }] = await tenantRows<{ process_id: string }>(t, 'SELECT process_id::text FROM tenant.citizen_requests WHERE id = $1', [request.id]);
    const form = await staff.get(`/processos/${processId}/intimar`).expect(200);
    await staff.post(`/processos/${processId}/intimar`).field('_csrf', csrfFrom(form.text)).field('decisao', 'Troca da lâmpada agendada para amanhã.').expect(303);

    // The citizen follows it, opens the intimação (ciência) and files a document, by keyboard.
    await context.clearCookies();
    await page.goto(harness.url(t.host, '/protocolo/acompanhar'));
    await tabTo('#numero');
    await page.keyboard.type(number);
    await tabTo('#codigo');
    await page.keyboard.type(code);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/protocolo\/acompanhar\/solicitacao$/);
    expect(await page.locator('[data-testid="intimation-pending"]').innerText()).to.contain('ciência');
    await tabTo('form[action$="/ciencia"] button[type="submit"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#intimacao-\d+$/);
    expect(await page.locator('[data-testid="intimation-ack"]').innerText()).to.contain('Cumprida por consulta');
    expect(await page.locator('[data-testid="answer"]').innerText()).to.contain('Troca da lâmpada');
    await check();
    await tabTo('#descricao');
    await page.keyboard.type('Foto do poste');
    // The file comes from the system's picker, which the keyboard opens; Playwright answers it.
    await chooseFilesByKeyboard(page, '#documentos', files.png);
    await tabTo('[data-testid="intercurrent-form"] button[type="submit"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#peticionamento$/);
    expect(await page.locator('[data-testid="flash"]').innerText()).to.contain('juntado(s) ao processo');
    await check();
    const [intimation] = await tenantRows<{ status: string }>(t, 'SELECT status FROM tenant.citizen_intimations WHERE request_id = $1', [request.id]);
    expect(intimation.status).to.equal('responded');
  });
});
