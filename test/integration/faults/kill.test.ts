import crypto from 'node:crypto';
import { expect } from 'chai';
import { Client } from 'pg';
import { QueryTypes } from 'sequelize';
import { loadMigrations } from '../../../server/db/migrator';
import { enqueueMail } from '../../../server/mail/outbox';
import { messageIdFor } from '../../../server/mail/worker';
import { prepareSpareSchemas } from '../../../server/tenancy/provisioning';
import { createInternalDocument } from '../../../server/documents/service';
import { docWorld, inWorld, newProcess, passThrough, type DocWorld } from '../../support/documents';
import { testEnv } from '../../support/environment';
import { completeChild, killHard, LockHolder, runChild, until } from '../../support/faults';
import { processInput, tenantQuery } from '../../support/processes';
import { SmtpPeer } from '../../support/smtp';
import { createTestTenant, tenantDefinition, uniqueSlug } from '../../support/tenants';

function q<T extends object>(sql: string, bind: unknown[] = []): Promise<T[]> {
  return testEnv().sequelize.query<T>(sql, { bind, type: QueryTypes.SELECT });
}

const env = (): Record<string, string> => ({ DATABASE_URL: testEnv().url });

/** Schemas named tenant_<n> without a registry row, and registry rows without their schema. */
async function halfTenants(): Promise<string[]> {
  const rows = await q<{ what: string }>(
    `SELECT coalesce('esquema sem registro: ' || n.nspname, 'registro sem esquema: ' || t.id) AS what
       FROM platform.tenants t FULL JOIN pg_namespace n ON n.nspname = 'tenant_' || t.id
      WHERE (t.id IS NULL AND n.nspname LIKE 'tenant\\_%') OR n.nspname IS NULL`,
  );
  return rows.map((r) => r.what);
}

/** The 6-digit sequence of a NUP. */
const sequenceOf = (nup: string): number => Number(/\.([0-9]{6})\//.exec(nup)![1]);

describe('Integration - faults/kill -9 of the process doing the work', function () {
  this.timeout(120_000);

  for (const useSpare of [false, true]) {
    it(`leaves no half tenant when provisioning is killed before it commits (${useSpare ? 'claiming a spare schema' : 'building the schema'}), and a re-run provisions it once`, async () => {
      if (useSpare) await prepareSpareSchemas(testEnv().sequelize, 1);
      const spares = async (): Promise<string[]> => (await q<{ id: string }>("SELECT id FROM platform.tenants WHERE status = 'spare' ORDER BY id")).map((r) => String(r.id));
      const sparesBefore = await spares();
      // Other test files may leave a schema of their own behind; this test adds none.
      const halfBefore = await halfTenants();
      const schemasBefore = await q<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\\_%' ORDER BY 1");
      const definition = tenantDefinition({ slug: uniqueSlug('kill') });
      const holder = new LockHolder(testEnv().url);
      // The provisioning transaction's last write is the platform audit entry: it stops there, with
      // the registry row, the schema, its migrations and default rows written but not committed.
      await holder.hold('LOCK TABLE platform.audit_log IN SHARE MODE');
      const run = runChild('provision', { definitions: [definition], useSpare }, env());
      const backend = await holder.blocked(run);
      await killHard(run);
      await holder.release(backend);

      expect(await q('SELECT id FROM platform.tenants WHERE slug = $1', [definition.slug])).to.deep.equal([]);
      expect(await q("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\\_%' ORDER BY 1")).to.deep.equal(schemasBefore);
      expect(await spares()).to.deep.equal(sparesBefore);
      expect(await halfTenants()).to.deep.equal(halfBefore);

      const [made] = await completeChild<{ id: string; schema: string }[]>('provision', { definitions: [definition], useSpare }, env());
      expect(await q('SELECT id FROM platform.tenants WHERE slug = $1', [definition.slug])).to.have.length(1);
      const ledger = await q<{ name: string }>(`SELECT name FROM "${made.schema}".schema_migrations ORDER BY name`);
      expect(ledger.map((r) => r.name)).to.deep.equal(loadMigrations('tenant').map((m) => m.name));
      const units = await q<{ acronym: string }>(`SELECT acronym FROM "${made.schema}".units ORDER BY acronym`);
      expect(units.map((u) => u.acronym)).to.deep.equal(['PMT', 'SEGOV', 'SMS']);
      if (useSpare) expect(sparesBefore).to.include(String(made.id));
      expect(await halfTenants()).to.deep.equal(halfBefore);
    });
  }

  it('resumes a migration run killed in the middle: finished tenants stay done, the rest complete on the re-run', async () => {
    // Its own database on the same server: the run migrates every tenant there, and only those.
    const name = `pen_fault_${crypto.randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: testEnv().url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const u = new URL(testEnv().url);
    u.pathname = `/${name}`;
    const url = u.toString();
    try {
      await completeChild('platform', {}, { DATABASE_URL: url });
      const tenants = await completeChild<{ slug: string; schema: string }[]>('provision', { definitions: [1, 2, 3].map(() => tenantDefinition()), useSpare: false }, { DATABASE_URL: url });
      const db = new Client({ connectionString: url });
      await db.connect();
      const state = async (): Promise<{ slug: string; version: string; probe: boolean }[]> => {
        const rows = await db.query<{ slug: string; version: string; probe: boolean }>(
          `SELECT t.slug, t.schema_version AS version,
                  EXISTS (SELECT 1 FROM information_schema.columns c WHERE c.table_schema = 'tenant_' || t.id AND c.table_name = 'units' AND c.column_name = 'fault_probe') AS probe
             FROM platform.tenants t ORDER BY t.id`,
        );
        return rows.rows;
      };
      const latest = loadMigrations('tenant').at(-1)!.name;
      try {
        const holder = new LockHolder(url);
        // ADD COLUMN needs the table to itself: the second tenant's migration waits for the test.
        await holder.hold(`LOCK TABLE "${tenants[1].schema}".units IN ACCESS SHARE MODE`);
        const run = runChild('migrate', {}, { DATABASE_URL: url });
        const backend = await holder.blocked(run);
        await killHard(run);
        await holder.release(backend);

        expect(await state()).to.deep.equal([
          { slug: tenants[0].slug, version: '9001-fault-probe', probe: true },
          { slug: tenants[1].slug, version: latest, probe: false },
          { slug: tenants[2].slug, version: latest, probe: false },
        ]);
        // The runner's advisory lock died with the killed process's session: the re-run is not refused.
        await until('a sessão do processo morto encerrada', async () => (await db.query('SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name])).rows.length === 0);
        const report = await completeChild<{ tenants: number; upToDate: number; migrated: string[]; failed: string[] }>('migrate', {}, { DATABASE_URL: url });
        expect(report).to.deep.equal({ tenants: 3, upToDate: 1, migrated: [tenants[1].slug, tenants[2].slug], failed: [] });
        expect((await state()).map((s) => [s.version, s.probe])).to.deep.equal([
          ['9001-fault-probe', true],
          ['9001-fault-probe', true],
          ['9001-fault-probe', true],
        ]);
      } finally {
        await db.end();
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  describe('inside a tenant', () => {
    let w: DocWorld;
    before(async () => {
      w = await docWorld(await createTestTenant());
    });
    const tenantEnv = (): Record<string, string> => env();

    it('keeps no orphan file bytes and no document without bytes when an upload is killed, and the re-run takes the next number', async () => {
      const p = await newProcess(w);
      const count = async (table: string): Promise<number> => Number((await tenantQuery<{ n: string }>(w.tt, `SELECT count(*) AS n FROM ${table}`))[0].n);
      const orphans = async (): Promise<number> =>
        Number((await tenantQuery<{ n: string }>(w.tt, 'SELECT count(*) AS n FROM file_contents f WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.file_sha256 = f.sha256)'))[0].n);
      const withoutBytes = async (): Promise<number> =>
        Number((await tenantQuery<{ n: string }>(w.tt, 'SELECT count(*) AS n FROM documents d WHERE d.kind = \'external\' AND NOT EXISTS (SELECT 1 FROM file_contents f WHERE f.sha256 = d.file_sha256)'))[0].n);
      const counters = (): Promise<object[]> => tenantQuery(w.tt, 'SELECT key, last_value FROM document_counters ORDER BY key');
      const before = { files: await count('file_contents'), documents: await count('documents'), counters: await counters() };
      const args = { tenant: w.tt.tenant, actor: w.clerk, processId: p.id, documentTypeId: w.docTypes['Anexo'], text: `Anexo ${crypto.randomUUID()}` };

      const holder = new LockHolder(testEnv().url);
      // The bytes are written first, then the document row: the upload stops between the two.
      await holder.hold(`LOCK TABLE "${w.tt.tenant.schema}".documents IN SHARE MODE`);
      const run = runChild('upload', args, tenantEnv());
      const backend = await holder.blocked(run);
      const [{ waiting }] = await q<{ waiting: string }>('SELECT query AS waiting FROM pg_stat_activity WHERE pid = $1', [backend]);
      expect(waiting).to.match(/INSERT INTO "documents"/);
      await killHard(run);
      await holder.release(backend);

      expect({ files: await count('file_contents'), documents: await count('documents'), counters: await counters() }).to.deep.equal(before);
      expect(await orphans()).to.equal(0);
      const made = await completeChild<{ id: string; number: string; sha256: string }>('upload', args, tenantEnv());
      const last = (before.counters as { key: string; last_value: string }[]).find((c) => c.key === 'document');
      expect(Number(made.number)).to.equal(Number(last?.last_value ?? 0) + 1);
      expect(await count('file_contents')).to.equal(before.files + 1);
      expect(await orphans()).to.equal(0);
      expect(await withoutBytes()).to.equal(0);
    });

    it('leaves no gap and no duplicate in NUP numbers when the creation of a process is killed after taking its number', async () => {
      const actor = { userId: w.clerk.userId, unitId: w.clerk.unitId };
      const first = await newProcess(w);
      const holder = new LockHolder(testEnv().url);
      // The number is taken (its sequence row updated) before the creation event is written: stop there.
      await holder.hold(`LOCK TABLE "${w.tt.tenant.schema}".process_events IN SHARE MODE`);
      const run = runChild('process', { tenant: w.tt.tenant, actor, input: processInput(w.ids, { specification: 'Criado por um processo morto' }) }, tenantEnv());
      const backend = await holder.blocked(run);
      await killHard(run);
      await holder.release(backend);
      expect(await tenantQuery(w.tt, "SELECT id FROM processes WHERE specification = 'Criado por um processo morto'")).to.deep.equal([]);

      const second = await completeChild<{ number: string }>('process', { tenant: w.tt.tenant, actor, input: processInput(w.ids, { specification: 'Depois da falha' }) }, tenantEnv());
      const third = await newProcess(w);
      expect([first, second, third].map((x) => sequenceOf(x.number))).to.deep.equal([1, 2, 3].map((n) => sequenceOf(first.number) + n - 1));
      const all = await tenantQuery<{ number: string }>(w.tt, 'SELECT number FROM processes ORDER BY id');
      const seqs = all.map((r) => sequenceOf(r.number));
      expect(new Set(seqs).size).to.equal(seqs.length);
      expect(seqs).to.deep.equal(Array.from({ length: seqs.length }, (_, i) => seqs[0] + i));
    });

    it('leaves no gap and no duplicate in document numbers when the creation of a numbered document is killed', async () => {
      const p = await newProcess(w);
      const create = () => inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Ofício'], complement: null, accessLevel: 'public', legalBasisId: null }));
      const a = await create();
      const holder = new LockHolder(testEnv().url);
      // Numbered and its row written; its first version not yet.
      await holder.hold(`LOCK TABLE "${w.tt.tenant.schema}".document_versions IN SHARE MODE`);
      const args = { tenant: w.tt.tenant, actor: w.clerk, processId: p.id, documentTypeId: w.docTypes['Ofício'] };
      const run = runChild('document', args, tenantEnv());
      const backend = await holder.blocked(run);
      await killHard(run);
      await holder.release(backend);

      const b = await completeChild<{ number: string; typeNumber: number }>('document', args, tenantEnv());
      const c = await create();
      expect([a.typeNumber, b.typeNumber, c.typeNumber]).to.deep.equal([a.typeNumber, a.typeNumber! + 1, a.typeNumber! + 2]);
      expect([Number(b.number), Number(c.number)]).to.deep.equal([Number(a.number) + 1, Number(a.number) + 2]);
      const rows = await tenantQuery<{ number: string }>(w.tt, 'SELECT number FROM documents ORDER BY number::int');
      const numbers = rows.map((r) => Number(r.number));
      expect(numbers).to.deep.equal(Array.from({ length: numbers.length }, (_, i) => numbers[0] + i));
    });

    it('sends to all the units or to none when a send to several units is killed half-way, and the re-run e-mails each recipient once', async () => {
      const p = await newProcess(w);
      await passThrough(w, p.id, w.ids.units.SMS);
      await tenantQuery(w.tt, 'UPDATE process_units SET open = false WHERE process_id = $1 AND unit_id = $2 RETURNING process_id', [p.id, w.ids.units.SMS]);
      const units = (): Promise<object[]> =>
        tenantQuery(w.tt, 'SELECT u.acronym, pu.open, pu.list FROM process_units pu JOIN units u ON u.id = pu.unit_id WHERE pu.process_id = $1 ORDER BY u.acronym', [p.id]);
      const mails = async (): Promise<number> => Number((await q<{ n: string }>('SELECT count(*) AS n FROM platform.outbox WHERE subject LIKE $1', [`Processo ${p.number} recebido%`]))[0].n);
      const before = await units();
      const holder = new LockHolder(testEnv().url);
      // Targets go in acronym order: PMT is written, then SMS waits on its row.
      await holder.hold(`SELECT 1 FROM "${w.tt.tenant.schema}".process_units WHERE process_id = $1 AND unit_id = $2 FOR UPDATE`, [p.id, w.ids.units.SMS]);
      const args = { tenant: w.tt.tenant, processId: p.id, viewer: { userId: w.clerk.userId, unitId: w.clerk.unitId }, unitIds: [w.ids.units.PMT, w.ids.units.SMS] };
      const run = runChild('send', args, tenantEnv());
      const backend = await holder.blocked(run);
      await killHard(run);
      await holder.release(backend);

      expect(await units()).to.deep.equal(before);
      expect(await tenantQuery(w.tt, "SELECT id FROM process_events WHERE process_id = $1 AND kind = 'sent'", [p.id])).to.deep.equal([]);
      expect(await mails()).to.equal(0);

      expect(await completeChild('send', args, tenantEnv())).to.deep.equal({ units: ['PMT', 'SMS'] });
      expect(await units()).to.deep.equal([
        { acronym: 'PMT', open: true, list: 'received' },
        { acronym: 'SEGOV', open: false, list: 'created' },
        { acronym: 'SMS', open: true, list: 'received' },
      ]);
      // One message per active user of the target units: the admin (PMT and SMS) once.
      expect(await mails()).to.equal(1);
    });
  });

  it('delivers an e-mail again when the worker is killed after the peer accepted it: at-least-once, every copy with the same Message-ID', async () => {
    const peer = new SmtpPeer();
    await peer.start();
    const to = `kill-${crypto.randomUUID()}@x.test`;
    const row = await testEnv().sequelize.transaction(() =>
      enqueueMail({ to, subject: 'Entrega sob falha', template: 'notice', data: { greeting: 'Olá.', message: 'Teste de falha.', link: 'http://localhost/x', linkLabel: 'Abrir' } }),
    );
    const id = String(row.id);
    const holder = new LockHolder(testEnv().url);
    let held = false;
    // Between the peer's DATA and its 250, the test locks the row: the worker's "sent" update waits.
    peer.beforeAccept = async (mail) => {
      if (held || !mail.to || !JSON.stringify(mail.to).includes(to)) return;
      held = true;
      await holder.hold('SELECT 1 FROM platform.outbox WHERE id = $1 FOR UPDATE', [id]);
    };
    const workerEnv = { ...env(), SMTP_URL: peer.url };
    let second: ReturnType<typeof runChild> | undefined;
    try {
      const run = runChild('worker', { leaseSeconds: 2 }, workerEnv);
      const backend = await holder.blocked(run);
      expect(peer.to(to)).to.have.length(1);
      await killHard(run);
      await holder.release(backend);
      const [pending] = await q<{ status: string; attempts: number }>('SELECT status, attempts FROM platform.outbox WHERE id = $1', [id]);
      expect(pending).to.deep.equal({ status: 'pending', attempts: 0 });

      second = runChild('worker', { leaseSeconds: 2 }, workerEnv);
      await until('a nova entrega depois do prazo da reserva', async () => (await q<{ status: string }>('SELECT status FROM platform.outbox WHERE id = $1', [id]))[0].status === 'sent', 30_000, second.output);
      await new Promise((r) => setTimeout(r, 500));
      const copies = peer.to(to);
      expect(copies).to.have.length(2);
      expect(copies.map((m) => m.messageId)).to.deep.equal([messageIdFor(id, 'x@pen.gov.br'), messageIdFor(id, 'x@pen.gov.br')]);
      const [sent] = await q<{ status: string; attempts: number }>('SELECT status, attempts FROM platform.outbox WHERE id = $1', [id]);
      expect(sent).to.deep.equal({ status: 'sent', attempts: 1 });
    } finally {
      second?.child.kill('SIGKILL');
      await second?.done;
      await peer.stop();
    }
  });
});
