import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createExternalDocument } from '../../../server/documents/service';
import { ExportWorker } from '../../../server/export/jobs';
import { closeTenant } from '../../../server/export/offboarding';
import { PlatformAuditEntry } from '../../../server/models';
import { operatorAgent, PLATFORM } from '../../support/adhesion';
import { docWorld, inWorld, newProcess, type DocWorld } from '../../support/documents';
import { testEnv } from '../../support/environment';
import { readArchive } from '../../support/exports';
import { samplePdf } from '../../support/files';
import { $, agentFor, binaryBody, csrfFrom } from '../../support/http';
import { LockHolder, until } from '../../support/faults';
import { createTestTenant } from '../../support/tenants';
import { loggedInAs } from '../../support/fixtures';

describe('Integration - console "Exportar dados" (an export job run by the worker)', function () {
  this.timeout(60_000);
  let w: DocWorld;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-export-'));
  const worker = (): ExportWorker => new ExportWorker({ sequelize: testEnv().sequelize, config: testEnv().config, url: testEnv().url }, { dir, leaseSeconds: 1 });

  before(async () => {
    w = await docWorld(await createTestTenant());
    const p = await newProcess(w, { specification: 'Compra de merenda' });
    await inWorld(w, async () =>
      createExternalDocument(w.clerk, p.id, {
        documentTypeId: w.docTypes['Anexo'],
        complement: null,
        documentDate: '2026-01-01',
        origin: 'digitalizado',
        sender: null,
        accessLevel: 'public',
        legalBasisId: null,
        file: { buffer: await samplePdf('Nota fiscal'), originalname: 'nota.pdf' },
      }),
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('an operator starts an export, the worker completes it with progress on the page, and the archive is downloaded (audited) with a manifest of SHA-256s; the export lets the tenant be closed', async () => {
    const id = w.tt.tenant.id;
    const pagePath = `/admin/entes/${id}/exportacoes`;
    const { agent, operator } = await operatorAgent();
    const list = $((await agent.get(`/admin/entes?q=${w.tt.definition.slug}`).expect(200)).text);
    expect(list(`tr[data-slug="${w.tt.definition.slug}"] a[href="${pagePath}"]`).text()).to.contain('Exportar dados');

    const empty = await agent.get(pagePath).expect(200);
    expect($(empty.text)('[data-testid="export-progress"]').attr('aria-live')).to.equal('polite');
    expect($(empty.text)('[data-testid="export-progress"]').text()).to.contain('Nenhuma exportação em andamento');

    // CSRF: a POST without the token writes nothing.
    await agent.post(pagePath).type('form').send({}).expect(403);
    expect((await testEnv().sequelize.query('SELECT 1 FROM platform.tenant_exports WHERE tenant_id = $1', { bind: [id], type: 'SELECT' as never })).length).to.equal(0);

    const started = await agent.post(pagePath).type('form').send({ _csrf: csrfFrom(empty.text) }).expect(303);
    expect(started.headers.location).to.equal(pagePath);
    const queued = $((await agent.get(started.headers.location).expect(200)).text);
    expect(queued('[data-testid="notice"]').text()).to.contain('Exportação pedida');
    expect(queued('[data-testid="export-progress"]').text()).to.contain('na fila');
    expect(queued('form[action="' + pagePath + '"]').length).to.equal(0);
    // A second click while one is pending is refused, and queues nothing.
    const again = await agent.post(pagePath).type('form').send({ _csrf: csrfFrom(empty.text) }).expect(409);
    expect($(again.text)('[data-testid="conflict"]').text()).to.contain('em andamento');

    // The worker claims it; a lock the test holds on a tenant table stops it among the tables, so
    // the page can be seen showing the phase and n/total before it goes on.
    const holder = new LockHolder(testEnv().url);
    await holder.hold(`LOCK TABLE "${w.tt.tenant.schema}".processes IN ACCESS EXCLUSIVE MODE`);
    const running = worker().runDue();
    let midway = '';
    await until('a página mostrar a fase e n de total', async () => {
      midway = $((await agent.get(pagePath).expect(200)).text)('[data-testid="export-progress"]').text();
      return /Tabelas — \d+ de \d+/.test(midway);
    });
    expect(midway).to.not.contain('na fila');
    await holder.release();
    expect(await running).to.equal(true);
    expect(await worker().runDue()).to.equal(false);

    const done = $((await agent.get(pagePath).expect(200)).text);
    const row = done('[data-testid="exports"] tbody tr').first();
    expect(row.attr('data-status')).to.equal('done');
    expect(row.text()).to.contain('concluída').and.contain(operator.name);
    const href = row.find('a[download]').attr('href')!;
    expect(done('[data-testid="export-progress"]').text()).to.contain('Nenhuma exportação em andamento');

    const file = await agent.get(href).buffer(true).parse(binaryBody).expect(200);
    expect(file.headers['content-disposition']).to.contain(`${w.tt.definition.slug}-`);
    const local = path.join(dir, 'baixado.zip');
    fs.writeFileSync(local, file.body as Buffer);
    const { sha, manifest } = await readArchive(local);
    expect(manifest.tenant.slug).to.equal(w.tt.definition.slug);
    expect(manifest.files.length).to.be.greaterThan(0);
    for (const f of manifest.files) expect(sha.get(f.path), f.path).to.equal(f.sha256);
    for (const t of manifest.tables) expect(sha.get(t.file), t.file).to.equal(t.sha256);
    for (const p of manifest.processes) expect(sha.get(p.file!), p.file!).to.equal(p.sha256);
    expect(row.text()).to.contain(crypto.createHash('sha256').update(file.body as Buffer).digest('hex'));

    const actions = (await PlatformAuditEntry.findAll({ where: { tenantId: id }, order: [['id', 'ASC']] })).filter((e) => e.action.startsWith('tenant.export')).map((e) => [e.action, e.actorId]);
    expect(actions).to.deep.equal([
      ['tenant.export_requested', String(operator.id)],
      ['tenant.exported', String(operator.id)],
      ['tenant.export_downloaded', String(operator.id)],
    ]);
    // The offboarding rule counts the console's export: the tenant can be closed now.
    await closeTenant(testEnv().sequelize, undefined, w.tt.definition.slug, { type: 'system' });
  });

  it('offers nothing to anyone but an operator: the visitor is sent to log in, a tenant user gets 404, and a job not finished has no file', async () => {
    const t = await createTestTenant({ kind: 'orgao', ibgeCode: null });
    const pagePath = `/admin/entes/${t.tenant.id}/exportacoes`;
    const visitor = agentFor(PLATFORM);
    const res = await visitor.get(pagePath);
    expect(res.status).to.equal(302);
    expect(res.headers.location).to.match(/^\/login\?next=/);
    const token = csrfFrom((await visitor.get('/login').expect(200)).text);
    expect((await visitor.post(pagePath).type('form').send({ _csrf: token })).status).to.equal(302);
    const tenantUser = await loggedInAs(t, 'admin');
    await tenantUser.get(pagePath).expect(404);
    await tenantUser.get(`${pagePath}/1/arquivo`).expect(404);
    expect((await testEnv().sequelize.query('SELECT 1 FROM platform.tenant_exports WHERE tenant_id = $1', { bind: [t.tenant.id], type: 'SELECT' as never })).length).to.equal(0);

    const { agent } = await operatorAgent();
    const page = await agent.get(pagePath).expect(200);
    await agent.post(pagePath).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    const [job] = await testEnv().sequelize.query<{ id: string }>('SELECT id FROM platform.tenant_exports WHERE tenant_id = $1', { bind: [t.tenant.id], type: 'SELECT' as never });
    await agent.get(`${pagePath}/${job.id}/arquivo`).expect(404);
    await agent.get('/admin/entes/999999999/exportacoes').expect(404);
    // Left queued, it would be run by the next worker of another test file.
    await testEnv().sequelize.query('DELETE FROM platform.tenant_exports WHERE id = $1', { bind: [job.id] });
  });
});
