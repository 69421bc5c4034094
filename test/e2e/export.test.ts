import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { ExportWorker } from '../../server/export/jobs';
import { createOperator, OPERATOR_PASSWORD } from '../support/adhesion';
import { testEnv } from '../support/environment';
import { platformQuery } from '../support/processes';
import { createTestTenant, type TestTenant } from '../support/tenants';
import { BrowserHarness, expectAccessible } from './support/browser';

describe('E2E - console "Exportar dados"', () => {
  const harness = new BrowserHarness();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-export-'));
  let tenant: TestTenant;
  let context: BrowserContext;
  let page: Page;

  before(async function () {
    this.timeout(60_000);
    await harness.start();
    tenant = await createTestTenant();
  });
  after(async () => {
    await harness.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    context = await harness.newContext();
    page = await context.newPage();
  });
  afterEach(async () => {
    await context.close();
  });

  it('an operator asks for an export from the tenants list, follows it on the page (the progress region is live) and gets the download link', async function () {
    this.timeout(90_000);
    const operator = await createOperator();
    await page.goto(harness.url('localhost', '/admin'));
    await page.waitForURL(/\/login/);
    await page.getByLabel('E-mail').fill(operator.email);
    await page.getByLabel('Senha').fill(OPERATOR_PASSWORD);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.waitForURL(harness.url('localhost', '/admin'));

    await page.goto(harness.url('localhost', `/admin/entes?q=${tenant.definition.slug}`));
    await expectAccessible(page, 'Entes (com o botão Exportar dados)');
    await page.getByRole('link', { name: `Exportar dados de ${tenant.definition.slug}` }).click();
    await page.waitForURL(harness.url('localhost', `/admin/entes/${tenant.tenant.id}/exportacoes`));
    expect(await page.locator('h1').innerText()).to.equal(`Exportar dados: ${tenant.definition.name}`);
    await expectAccessible(page, 'Exportar dados (sem exportação)');

    await page.getByRole('button', { name: 'Exportar dados' }).click();
    await page.waitForURL(/\/exportacoes$/);
    expect(await page.getByTestId('notice').innerText()).to.contain('Exportação pedida');
    const region = page.locator('[data-testid="export-progress"]');
    expect(await region.getAttribute('aria-live')).to.equal('polite');
    expect(await region.innerText()).to.contain('na fila');
    await expectAccessible(page, 'Exportar dados (na fila)');

    // The worker runs it; the page's script notices the end and loads the page again with the link.
    // Another test file may have left a job due (a killed worker's lease runs out), so the worker
    // runs every due job, then this tenant's must be done.
    const worker = new ExportWorker({ sequelize: testEnv().sequelize, config: testEnv().config, url: testEnv().url }, { dir });
    let ran = 0;
    while (ran < 20 && (await worker.runDue())) ran += 1;
    expect(ran).to.be.greaterThan(0);
    const jobs = await platformQuery<{ status: string; error: string | null }>('SELECT status, error FROM platform.tenant_exports WHERE tenant_id = $1', [tenant.tenant.id]);
    expect(jobs).to.deep.equal([{ status: 'done', error: null }]);
    const link = page.getByRole('link', { name: /Baixar a exportação nº/ });
    await link.waitFor({ timeout: 15_000 });
    expect(await region.innerText()).to.contain('Nenhuma exportação em andamento');
    expect(await page.locator('[data-testid="exports"] tbody tr').first().getAttribute('data-status')).to.equal('done');
    await expectAccessible(page, 'Exportar dados (concluída)');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).to.match(new RegExp(`^${tenant.definition.slug}-\\d{4}-\\d{2}-\\d{2}-\\d+\\.zip$`));
  });
});
