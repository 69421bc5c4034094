import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { createTransport } from '../../server/mail/transport';
import { OutboxWorker } from '../../server/mail/worker';
import { AdhesionRequest, type Operator } from '../../server/models';
import { createOperator, makeCnpj, makeCpf, OPERATOR_PASSWORD } from '../support/adhesion';
import { testEnv } from '../support/environment';
import { SmtpPeer } from '../support/smtp';
import { BrowserHarness, expectAccessible, pagePerTest } from './support/browser';

interface Journey {
  municipality: string;
  ibgeCode: string;
  slug: string;
  email: string;
  manager: string;
}

/**
 * A municipality joins: the gestor fills the wizard, confirms the e-mail from the delivered message
 * and submits; an operator approves; the gestor follows the invitation, sets a password and lands
 * logged in on the new tenant's host. Once with the mouse, once with the keyboard only.
 */
describe('E2E - adhesion: a municipality joins, the MGI approves, the gestor logs in', () => {
  const harness = new BrowserHarness();
  const peer = new SmtpPeer();
  let worker: OutboxWorker;
  let operator: Operator;
  let context: BrowserContext;

  before(async function () {
    this.timeout(60_000);
    await harness.start();
    await peer.start();
    worker = new OutboxWorker(testEnv().sequelize, createTransport(peer.url, '/tmp'), { from: 'PEN Nuvem <nao-responda@pen.gov.br>', batchSize: 100 });
    operator = await createOperator();
  });
  after(async () => {
    await harness.stop();
    await peer.stop();
  });
  pagePerTest(harness, 'adhesion', (_p, c) => {
    context = c;
  });

  async function mailLink(to: string, subject: RegExp, path: string): Promise<string> {
    while ((await worker.deliverDue()) > 0);
    const mail = await peer.waitFor(to, subject);
    const m = new RegExp(`https?://[^\\s"]*${path}[^\\s"]*`).exec(mail.text ?? '');
    expect(m, `link ${path}`).to.not.equal(null);
    const u = new URL(m![0]);
    return harness.url(u.hostname, u.pathname + u.search);
  }

  async function heading(page: Page): Promise<string> {
    return page.locator('h1').innerText();
  }

  /** Tabs until the focused element matches `selector` (keyboard only). */
  async function tabTo(page: Page, selector: string, max = 80): Promise<void> {
    for (let i = 0; i < max; i++) {
      if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`Tab não chegou a ${selector} em ${page.url()}`);
  }

  async function expectDistinctSteps(page: Page, current: string): Promise<void> {
    expect(await page.locator('.app-steps li.is-current .app-step-title').innerText()).to.equal(current);
  }

  it('with the mouse', async function () {
    this.timeout(180_000);
    const j: Journey = { municipality: 'Paraty', ibgeCode: '3303807', slug: 'paraty', email: 'gestora@paraty.rj.gov.br', manager: 'Luciana Prado Teixeira' };
    const page = await context.newPage();
    await page.goto(harness.url('localhost', '/'));
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Solicitar adesão' }).click();
    expect(await heading(page)).to.equal('Pedido de adesão ao PEN Nuvem');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Começar o pedido' }).click();

    await expectDistinctSteps(page, 'Ente');
    await page.locator('label[for="kind-municipio"]').click();
    await page.getByLabel('UF').selectOption('RJ');
    await page.getByLabel('Buscar pelo nome').fill('paraty');
    await page.waitForFunction(() => document.querySelectorAll('#ibgeCode option').length === 2);
    await page.locator('#ibgeCode').selectOption(j.ibgeCode);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Salvar e continuar' }).click();

    await expectDistinctSteps(page, 'Órgão');
    expect(await page.getByLabel('Nome oficial').inputValue()).to.equal('Prefeitura Municipal de Paraty');
    await page.getByLabel('CNPJ').pressSequentially(makeCnpj('12ABC34501DE').toLowerCase());
    expect(await page.getByLabel('CNPJ').inputValue()).to.equal('12.ABC.345/01DE-35');
    await page.getByLabel('Endereço da sede').fill('Rua Samuel Costa, 29 — Centro Histórico');
    await page.getByLabel('Site oficial (opcional)').fill('www.paraty.rj.gov.br');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Salvar e continuar' }).click();

    await expectDistinctSteps(page, 'Gestor responsável');
    await page.getByLabel('Nome completo').fill(j.manager);
    await page.getByLabel('CPF').pressSequentially('12345678900');
    await page.getByLabel('Cargo').fill('Secretária Municipal de Administração');
    await page.getByLabel('E-mail institucional').fill(j.email);
    await page.getByLabel('Telefone com DDD').fill('(24) 3371-1000');
    await page.getByRole('button', { name: 'Salvar e continuar' }).click();
    // A wrong CPF is explained next to the field, and focus goes to the summary.
    expect(await page.locator('#cpf-error').innerText()).to.contain('CPF inválido');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    await expectAccessible(page);
    await page.getByLabel('CPF').fill('');
    await page.getByLabel('CPF').pressSequentially(makeCpf());
    await page.getByRole('button', { name: 'Salvar e continuar' }).click();

    await expectDistinctSteps(page, 'Configuração inicial');
    expect(await page.getByLabel('Endereço', { exact: true }).inputValue()).to.equal(j.slug);
    await page.getByLabel('Endereço', { exact: true }).fill('admin');
    await page.locator('[data-slug-availability]').filter({ hasText: 'palavra reservada' }).waitFor();
    await page.getByLabel('Endereço', { exact: true }).fill(j.slug);
    await page.locator('[data-slug-availability]').filter({ hasText: 'Disponível' }).waitFor();
    await page.getByLabel('Sigla da secretaria 1').fill('SEGOV');
    await page.getByLabel('Nome da secretaria 1').fill('Secretaria Municipal de Governo');
    await page.getByLabel('Sigla da secretaria 2').fill('SMS');
    await page.getByLabel('Nome da secretaria 2').fill('Secretaria Municipal de Saúde');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Salvar e continuar' }).click();

    await expectDistinctSteps(page, 'Termo de adesão');
    await page.getByLabel('Para aceitar, digite o seu nome completo').fill(j.manager);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Aceitar e continuar' }).click();

    await expectDistinctSteps(page, 'Revisão');
    expect(await page.locator('.app-review').innerText()).to.contain('12.ABC.345/01DE-35').and.contain('SMS — Secretaria Municipal de Saúde');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Enviar o pedido ao MGI' }).click();
    // Not yet: the e-mail must be confirmed first.
    expect(await page.locator('#error-summary').innerText()).to.contain(`Confirme o e-mail ${j.email}`);

    await page.goto(await mailLink(j.email, /^Confirme o seu e-mail/, '/adesao/confirmar'));
    expect(await heading(page)).to.equal('E-mail confirmado');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Continuar o pedido' }).click();
    await expectDistinctSteps(page, 'Revisão');
    await page.getByRole('button', { name: 'Enviar o pedido ao MGI' }).click();
    expect(await heading(page)).to.equal('Situação do pedido de adesão');
    expect(await page.locator('[data-testid="adhesion-status"]').innerText()).to.contain('em análise');
    await expectAccessible(page);

    await approveAsOperator(j, false);
    await acceptInvitation(j, false);
  });

  it('with the keyboard only (Tab, Space, arrows, typing, Enter)', async function () {
    this.timeout(180_000);
    const j: Journey = { municipality: 'Itatiaia', ibgeCode: '3302254', slug: 'itatiaia', email: 'gestor@itatiaia.rj.gov.br', manager: 'Rogério Antunes Lima' };
    const page = await context.newPage();
    await page.goto(harness.url('localhost', '/adesao'));
    await expectAccessible(page);
    await tabTo(page, 'a[href="/adesao/ente"].br-button');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/adesao\/ente$/);

    await tabTo(page, 'input[name="kind"]');
    await page.keyboard.press('Space');
    expect(await page.locator('#kind-municipio').isChecked()).to.equal(true);
    await tabTo(page, '#q');
    await page.keyboard.type('itatiaia');
    await page.waitForFunction(() => document.querySelectorAll('#ibgeCode option').length === 2);
    await tabTo(page, '#ibgeCode');
    await page.keyboard.press('ArrowDown');
    expect(await page.locator('#ibgeCode').inputValue()).to.equal(j.ibgeCode);
    await expectAccessible(page);
    await tabTo(page, 'button[value="next"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/adesao\/orgao$/);

    const fill = async (id: string, text: string) => {
      await tabTo(page, `#${id}`);
      await page.keyboard.type(text);
    };
    await fill('cnpj', makeCnpj());
    await fill('address', 'Praça São José Operário, 30 — Centro');
    await expectAccessible(page);
    await tabTo(page, 'button[value="next"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/adesao\/gestor$/);

    await fill('name', j.manager);
    await fill('cpf', makeCpf());
    await fill('title', 'Secretário Municipal de Administração');
    await fill('email', j.email);
    await fill('phone', '2433521000');
    await expectAccessible(page);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/adesao\/configuracao$/);

    // "Voltar" keeps everything: go back to the gestor step and forward again.
    await tabTo(page, 'button[value="back"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/adesao\/gestor$/);
    expect(await page.locator('#email').inputValue()).to.equal(j.email);
    await expectAccessible(page);
    await tabTo(page, 'button[value="next"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/adesao\/configuracao$/);

    await fill('unit-0-acronym', 'SEMAD');
    await fill('unit-0-name', 'Secretaria Municipal de Administração');
    await expectAccessible(page);
    await tabTo(page, 'button[value="next"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/adesao\/termo$/);

    await fill('acceptedName', j.manager);
    await expectAccessible(page);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/adesao\/revisao$/);
    await expectAccessible(page);

    await page.goto(await mailLink(j.email, /^Confirme o seu e-mail/, '/adesao/confirmar'));
    await expectAccessible(page);
    await tabTo(page, 'a.br-button');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/adesao\/revisao$/);
    await tabTo(page, 'form[action="/adesao/revisao"] button');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/adesao\/situacao$/);
    expect(await page.locator('[data-testid="adhesion-status"]').innerText()).to.contain('em análise');
    await expectAccessible(page);

    await approveAsOperator(j, true);
    await acceptInvitation(j, true);
  });

  it('explains an expired or unknown resume or confirmation link on an accessible page', async () => {
    const page = await context.newPage();
    const res = await page.goto(harness.url('localhost', '/adesao/retomar?token=link-que-nao-existe-mais-0000'));
    expect(res?.status()).to.equal(410);
    expect(await heading(page)).to.equal('Link inválido ou expirado');
    await expectAccessible(page);
    await page.goto(harness.url('localhost', '/adesao/confirmar?token=link-que-nao-existe-mais-0000'));
    expect(await heading(page)).to.equal('Link inválido ou expirado');
    await expectAccessible(page);
  });

  async function approveAsOperator(j: Journey, keyboard: boolean): Promise<void> {
    const ctx = await harness.newContext();
    const page = await ctx.newPage();
    await page.goto(harness.url('localhost', '/admin'));
    await page.waitForURL(/\/login/);
    await expectAccessible(page);
    if (keyboard) {
      await tabTo(page, '#email');
      await page.keyboard.type(operator.email);
      await page.keyboard.press('Tab');
      await page.keyboard.type(OPERATOR_PASSWORD);
      await page.keyboard.press('Enter');
    } else {
      await page.getByLabel('E-mail').fill(operator.email);
      await page.getByLabel('Senha').fill(OPERATOR_PASSWORD);
      await page.getByRole('button', { name: 'Entrar' }).click();
    }
    await page.waitForURL(harness.url('localhost', '/admin'));
    expect(await heading(page)).to.equal('Pedidos de adesão');
    await expectAccessible(page);
    const request = (await AdhesionRequest.findOne({ where: { managerEmail: j.email } }))!;
    const link = `a[href="/admin/pedidos/${request.id}"]`;
    if (keyboard) {
      await tabTo(page, link);
      await page.keyboard.press('Enter');
    } else {
      await page.locator(link).click();
    }
    await page.waitForURL(/\/admin\/pedidos\/\d+$/);
    expect(await page.locator('[data-testid="checks"]').innerText()).to.contain('E-mail confirmado').and.contain('Nenhuma duplicidade encontrada');
    await expectAccessible(page);
    if (keyboard) {
      await tabTo(page, 'form[action$="/aprovar"] button');
      await page.keyboard.press('Enter');
    } else {
      await page.getByRole('button', { name: 'Aprovar e criar o ente' }).click();
    }
    await page.locator('[data-testid="notice"]', { hasText: 'Pedido aprovado' }).waitFor();
    expect(await page.locator('[data-testid="request-status"]').innerText()).to.contain('aprovado');
    await expectAccessible(page);
    await page.goto(harness.url('localhost', '/admin/entes'));
    expect(await page.locator(`tr[data-slug="${j.slug}"]`).innerText()).to.contain('ativo').and.contain(operator.name);
    await expectAccessible(page);
    await page.goto(harness.url('localhost', '/admin/auditoria'));
    expect(await page.locator('[data-testid="audit"]').innerText()).to.contain('adhesion.approved');
    await expectAccessible(page);
    await ctx.close();
  }

  async function acceptInvitation(j: Journey, keyboard: boolean): Promise<void> {
    const page = await context.newPage();
    await page.goto(await mailLink(j.email, /^Convite para o processo eletrônico (da|do) /, '/definir-senha'));
    expect(new URL(page.url()).hostname).to.equal(`${j.slug}.localhost`);
    expect(await heading(page)).to.equal('Defina a sua senha');
    await expectAccessible(page);
    if (keyboard) {
      await tabTo(page, '#password');
      await page.keyboard.type('Prefeitura2026');
      await page.keyboard.press('Tab');
      await page.keyboard.type('Prefeitura2026');
      await page.keyboard.press('Enter');
    } else {
      await page.locator('#password').fill('Prefeitura2026');
      await page.locator('#confirmation').fill('Prefeitura2026');
      await page.getByRole('button', { name: 'Salvar senha e entrar' }).click();
    }
    await page.waitForURL(harness.url(`${j.slug}.localhost`, '/'));
    expect(await heading(page)).to.equal('Controle de processos');
    expect(await page.locator('[data-testid="logged-user"]').innerText()).to.equal(j.manager);
    expect(await page.locator('body').innerText()).to.contain(`Prefeitura Municipal de ${j.municipality}`);
    await expectAccessible(page);
  }
});
