import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import yauzl from 'yauzl';
import { createExternalDocument, createInternalDocument, saveDocumentBody } from '../../../server/documents/service';
import { exportTenant, type Manifest } from '../../../server/export/export';
import { importTenant } from '../../../server/export/import';
import { docWorld, inWorld, newProcess, type DocWorld } from '../../support/documents';
import { testEnv } from '../../support/environment';
import { samplePdf, samplePng } from '../../support/files';
import { agentFor, login } from '../../support/http';
import { createTestTenant, uniqueSlug, type TestTenant } from '../../support/tenants';
import { tenantQuery } from '../../support/processes';

function zipEntries(file: string): Promise<string[]> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        names.push(e.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    }),
  );
}

const TABLES_COMPARED = ['users', 'units', 'user_units', 'processes', 'documents', 'process_units', 'process_events'];

async function snapshot(tt: TestTenant, table: string): Promise<string[]> {
  const rows = await tenantQuery<{ r: string }>(tt, `SELECT to_jsonb(x)::text AS r FROM ${table} x ORDER BY 1`);
  return rows.map((r) => r.r);
}

describe('Integration - tenant export and import', () => {
  let w: DocWorld;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'export-'));
  const archive = path.join(dir, 'export.zip');
  let manifest: Manifest;

  before(async () => {
    w = await docWorld(await createTestTenant());
    for (const spec of ['Reforma da escola', 'Compra de merenda']) {
      const p = await newProcess(w, { specification: spec });
      const d = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
      await inWorld(w, () => saveDocumentBody(w.clerk, String(d.id), `<p>Despacho de ${spec}</p>`));
      for (const [file, name] of [[await samplePdf(`Anexo ${spec}`), 'anexo.pdf'], [await samplePng(), 'foto.png']] as const) {
        await inWorld(w, () =>
          createExternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Anexo'], complement: null, documentDate: '2026-01-01', origin: 'digitalizado', sender: null, accessLevel: 'public', legalBasisId: null, file: { buffer: file, originalname: name } }),
        );
      }
    }
    const env = testEnv();
    const phases = new Set<string>();
    manifest = await exportTenant({ sequelize: env.sequelize, config: env.config, url: env.url }, w.tt.definition.slug, archive, (p) => phases.add(p));
    expect([...phases]).to.include.members(['tabelas', 'arquivos', 'processos', 'esquema']);
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes one zip with every table as CSV, every file under its SHA-256, every process as PDF and the manifest', async () => {
    const names = await zipEntries(archive);
    expect(names).to.include('manifest.json');
    expect(fs.existsSync(`${archive}.partial`)).to.equal(false);
    const byName = new Map(manifest.tables.map((t) => [t.name, t]));
    expect(byName.get('processes')?.rows).to.equal(2);
    expect(byName.get('documents')?.rows).to.equal(6);
    expect(byName.get('users')?.rows).to.equal(2);
    expect(byName.get('users')?.columns.map((c) => c.name)).to.include('password_hash');
    expect(byName.has('schema_migrations')).to.equal(false);
    for (const t of manifest.tables) {
      expect(names).to.include(t.file);
      expect(t.sha256).to.match(/^[0-9a-f]{64}$/);
    }
    const stored = await tenantQuery<{ sha256: string }>(w.tt, 'SELECT sha256 FROM file_contents ORDER BY sha256');
    expect(manifest.files.map((f) => f.sha256)).to.deep.equal(stored.map((s) => s.sha256));
    for (const f of manifest.files) expect(names).to.include(`files/${f.sha256}`);
    expect(manifest.processes).to.have.length(2);
    for (const p of manifest.processes) {
      expect(p.error).to.equal(null);
      expect(names).to.include(p.file);
    }
    if (manifest.pgDump.file) expect(names).to.include('schema.sql');
    else expect(manifest.pgDump.file === null && manifest.pgDump.reason).to.contain('pg_dump');
  });

  it('imports under a new slug: the same rows, the same hashes, and a login works on the imported tenant', async () => {
    const env = testEnv();
    const slug = uniqueSlug('importado');
    const result = await importTenant(env.sequelize, env.registry, archive, { slug });
    const copy: TestTenant = { ...w.tt, tenant: result.tenant, host: `${slug}.${env.config.APP_DOMAIN}` };
    for (const table of TABLES_COMPARED) expect(await snapshot(copy, table), table).to.deep.equal(await snapshot(w.tt, table));
    const hashes = async (tt: TestTenant) => tenantQuery<{ sha256: string; ok: boolean }>(tt, "SELECT sha256, encode(sha256(content), 'hex') = sha256 AS ok FROM file_contents ORDER BY sha256");
    const copied = await hashes(copy);
    expect(copied).to.deep.equal(await hashes(w.tt));
    expect(copied.every((h) => h.ok)).to.equal(true);
    const res = await login(agentFor(copy.host), w.tt.clerk.email, w.tt.clerk.password);
    expect(res.status).to.equal(302);
    expect(res.headers.location).to.not.contain('/login');
    // Identities continue after the imported ids: a new process gets a new id.
    const [{ next }] = await tenantQuery<{ next: string }>(copy, "SELECT nextval(pg_get_serial_sequence('processes', 'id')) AS next");
    const [{ max }] = await tenantQuery<{ max: string }>(copy, 'SELECT max(id) AS max FROM processes');
    expect(Number(next)).to.be.greaterThan(Number(max));
  });

  it('refuses a damaged archive and leaves no tenant behind', async () => {
    const env = testEnv();
    const bad = path.join(dir, 'bad.zip');
    const bytes = fs.readFileSync(archive);
    // Flip a byte inside a stored (uncompressed) file entry.
    const png = manifest.files.find((f) => f.size > 100)!;
    const at = bytes.indexOf(Buffer.from(`files/${png.sha256}`)) + 200;
    bytes[at] ^= 0xff;
    fs.writeFileSync(bad, bytes);
    const slug = uniqueSlug('estragado');
    const err = await importTenant(env.sequelize, env.registry, bad, { slug }).catch((e: unknown) => e as Error);
    expect(err).to.be.instanceOf(Error);
    const [row] = await env.sequelize.query<{ n: string }>('SELECT count(*) AS n FROM platform.tenants WHERE slug = $1', { bind: [slug], type: 'SELECT' as never });
    expect(Number(row.n)).to.equal(0);
  });
});
