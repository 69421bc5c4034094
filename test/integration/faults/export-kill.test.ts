import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { createExternalDocument } from '../../../server/documents/service';
import { closeTenant } from '../../../server/export/offboarding';
import { operatorAgent } from '../../support/adhesion';
import { docWorld, inWorld, newProcess, type DocWorld } from '../../support/documents';
import { testEnv } from '../../support/environment';
import { killHard, LockHolder, runChild, until } from '../../support/faults';
import { readArchive } from '../../support/exports';
import { samplePdf } from '../../support/files';
import { $, csrfFrom } from '../../support/http';
import { tenantQuery } from '../../support/processes';
import { createTestTenant } from '../../support/tenants';

function q<T extends object>(sql: string, bind: unknown[] = []): Promise<T[]> {
  return testEnv().sequelize.query<T>(sql, { bind, type: QueryTypes.SELECT });
}

const TABLES = ['users', 'units', 'processes', 'documents', 'file_contents', 'process_events', 'audit_log'];

describe('Integration - faults/kill -9 of the worker running a console export', function () {
  this.timeout(120_000);
  let w: DocWorld;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'export-kill-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  before(async () => {
    w = await docWorld(await createTestTenant());
    for (const spec of ['Reforma da praça', 'Compra de livros']) {
      const p = await newProcess(w, { specification: spec });
      await inWorld(w, async () =>
        createExternalDocument(w.clerk, p.id, {
          documentTypeId: w.docTypes['Anexo'],
          complement: null,
          documentDate: '2026-01-01',
          origin: 'digitalizado',
          sender: null,
          accessLevel: 'public',
          legalBasisId: null,
          file: { buffer: await samplePdf(`Anexo ${spec}`), originalname: 'anexo.pdf' },
        }),
      );
    }
  });

  it('offers no half archive when the worker is killed mid-export, leaves the tenant untouched, and a re-run finishes the export', async () => {
    const snapshot = async (): Promise<Record<string, string[]>> => {
      const out: Record<string, string[]> = {};
      for (const table of TABLES) out[table] = (await tenantQuery<{ r: string }>(w.tt, `SELECT md5(to_jsonb(x)::text) AS r FROM ${table} x ORDER BY 1`)).map((r) => r.r);
      return out;
    };
    const tenantRow = (): Promise<object[]> => q('SELECT status, closed_at, schema_version, updated_at FROM platform.tenants WHERE id = $1', [w.tt.tenant.id]);
    const pagePath = `/admin/entes/${w.tt.tenant.id}/exportacoes`;
    const { agent } = await operatorAgent();
    const page = await agent.get(pagePath).expect(200);
    await agent.post(pagePath).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    const [{ id }] = await q<{ id: string }>('SELECT id FROM platform.tenant_exports WHERE tenant_id = $1', [w.tt.tenant.id]);
    const before = await snapshot();
    const rowBefore = await tenantRow();

    // The export reads the tables in one transaction: a lock the test holds on one of them stops it
    // there, with some tables already written into the archive's .partial file.
    const holder = new LockHolder(testEnv().url);
    await holder.hold(`LOCK TABLE "${w.tt.tenant.schema}".processes IN ACCESS EXCLUSIVE MODE`);
    const run = runChild('export-worker', { dir, leaseSeconds: 2 }, { DATABASE_URL: testEnv().url });
    let second: ReturnType<typeof runChild> | undefined;
    try {
      const backend = await holder.blocked(run);
      // Only this job's files (another test file's job could be run by the same worker).
      const ours = (): string[] => fs.readdirSync(dir).filter((f) => f.startsWith(`tenant-${w.tt.tenant.id}-export-${id}.`));
      expect(ours()).to.deep.equal([`tenant-${w.tt.tenant.id}-export-${id}.zip.partial`]);
      await until('o progresso registrado', async () => (await q<{ done: number }>('SELECT done FROM platform.tenant_exports WHERE id = $1', [id]))[0].done > 0);
      await killHard(run);
      await holder.release(backend);

      const [killed] = await q<{ status: string; file_path: string | null; sha256: string | null; finished_at: Date | null; attempts: number }>(
        'SELECT status, file_path, sha256, finished_at, attempts FROM platform.tenant_exports WHERE id = $1',
        [id],
      );
      expect(killed).to.deep.equal({ status: 'running', file_path: null, sha256: null, finished_at: null, attempts: 1 });
      // Nothing is offered: no link on the page, no download, and it does not count as an export.
      const shown = $((await agent.get(pagePath).expect(200)).text);
      expect(shown(`tr[data-export-id="${id}"] a[download]`).length).to.equal(0);
      expect(shown(`tr[data-export-id="${id}"]`).attr('data-status')).to.equal('running');
      await agent.get(`${pagePath}/${id}/arquivo`).expect(404);
      const refused = await closeTenant(testEnv().sequelize, undefined, w.tt.definition.slug, { type: 'system' }).catch((e: unknown) => e as Error);
      expect(refused).to.be.instanceOf(Error);
      expect((refused as Error).message).to.contain('Exporte os dados do ente');
      // The tenant is untouched.
      expect(await snapshot()).to.deep.equal(before);
      expect(await tenantRow()).to.deep.equal(rowBefore);

      // A worker started again claims the job once its lease has run out, and exports it from the start.
      second = runChild('export-worker', { dir, leaseSeconds: 2 }, { DATABASE_URL: testEnv().url });
      await until('a exportação concluída pelo novo executor', async () => (await q<{ status: string }>('SELECT status FROM platform.tenant_exports WHERE id = $1', [id]))[0].status === 'done', 60_000, second.output);
      const [finished] = await q<{ file_path: string; sha256: string; attempts: number }>('SELECT file_path, sha256, attempts FROM platform.tenant_exports WHERE id = $1', [id]);
      expect(finished.attempts).to.equal(2);
      expect(ours()).to.deep.equal([path.basename(finished.file_path)]);
      const { sha, manifest } = await readArchive(finished.file_path);
      expect(manifest.tables.find((t) => t.name === 'processes')?.rows).to.equal(2);
      for (const f of manifest.files) expect(sha.get(f.path)).to.equal(f.sha256);
      for (const t of manifest.tables) expect(sha.get(t.file)).to.equal(t.sha256);
      const done = $((await agent.get(pagePath).expect(200)).text);
      expect(done(`tr[data-export-id="${id}"] a[download]`).length).to.equal(1);
      expect(await snapshot()).to.deep.equal(before);
      expect(await tenantRow()).to.deep.equal(rowBefore);
    } finally {
      second?.child.kill('SIGKILL');
      await second?.done;
    }
  });
});
