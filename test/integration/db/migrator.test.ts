import { expect } from 'chai';
import { Client } from 'pg';
import { QueryTypes } from 'sequelize';
import { ConflictError } from '../../../server/errors';
import { loadMigrations, runMigrations, type Migration } from '../../../server/db/migrator';
import { Tenant } from '../../../server/models';
import { testEnv } from '../../support/environment';
import { createTestTenant, type TestTenant } from '../../support/tenants';

async function ledger(schema: string): Promise<string[]> {
  const rows = await testEnv().sequelize.query<{ name: string }>(`SELECT name FROM "${schema}".schema_migrations ORDER BY name`, {
    type: QueryTypes.SELECT,
  });
  return rows.map((r) => r.name);
}

async function tableExists(schema: string, table: string): Promise<boolean> {
  const [row] = await testEnv().sequelize.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', {
    bind: [`"${schema}".${table}`],
    type: QueryTypes.SELECT,
  });
  return row.ok;
}

describe('Integration - db/migrator (the migration runner)', () => {
  let tenants: TestTenant[];
  let broken: TestTenant;
  const real = loadMigrations('tenant');

  /** A new tenant migration that adds a table, and fails in `failIn` after having created it. */
  function probe(name: string, failIn?: string): Migration {
    return {
      name,
      up: async ({ context }) => {
        await context.sequelize.query(`CREATE TABLE probe_${name.replace(/\W/g, '_')} (id int)`, { transaction: context.transaction });
        if (context.schema === failIn) throw new Error('falha simulada neste ente');
      },
    };
  }

  before(async () => {
    tenants = await Promise.all([createTestTenant(), createTestTenant(), createTestTenant(), createTestTenant()]);
    broken = tenants[2];
  });

  it('applies a new migration to every tenant, records a failing tenant and completes the others', async () => {
    const progress: string[] = [];
    const report = await runMigrations(testEnv().sequelize, {
      concurrency: 3,
      tenantMigrations: [...real, probe('9001-probe', broken.tenant.schema)],
      onProgress: (_done, _total, o) => progress.push(o.slug),
    });
    expect(report.failed.map((f) => f.slug)).to.deep.equal([broken.definition.slug]);
    expect(report.failed[0].error).to.contain('falha simulada');
    for (const t of tenants.filter((x) => x !== broken)) {
      expect(await ledger(t.tenant.schema)).to.include('9001-probe');
      expect(await tableExists(t.tenant.schema, 'probe_9001_probe')).to.equal(true);
    }
    // The failing tenant is left exactly as it was: no ledger line, no half-made table.
    expect(await ledger(broken.tenant.schema)).to.not.include('9001-probe');
    expect(await tableExists(broken.tenant.schema, 'probe_9001_probe')).to.equal(false);
    const row = await Tenant.findByPk(broken.tenant.id);
    expect(row!.migrationStatus).to.equal('failed');
    expect(row!.migrationError).to.contain('falha simulada');
    expect(progress).to.include(broken.definition.slug);
    expect(progress.length).to.equal(report.migrated.length + report.failed.length);
  });

  it('resumes on a re-run: only the failed tenant is migrated, the others are skipped as up to date', async () => {
    const report = await runMigrations(testEnv().sequelize, { concurrency: 3, tenantMigrations: [...real, probe('9001-probe')] });
    expect(report.failed).to.deep.equal([]);
    expect(report.migrated.map((m) => m.slug)).to.deep.equal([broken.definition.slug]);
    expect(report.upToDate).to.equal(report.tenants - 1);
    expect(await ledger(broken.tenant.schema)).to.include('9001-probe');
    expect((await Tenant.findByPk(broken.tenant.id))!.migrationStatus).to.equal('ok');
  });

  it('does nothing on a run with no new migration', async () => {
    const report = await runMigrations(testEnv().sequelize, { concurrency: 3, tenantMigrations: [...real, probe('9001-probe')] });
    expect(report.migrated).to.deep.equal([]);
    expect(report.upToDate).to.equal(report.tenants);
  });

  it('refuses a second run while one holds the lock', async () => {
    const holder = new Client({ connectionString: testEnv().url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(4801372019)');
      let error: unknown;
      try {
        await runMigrations(testEnv().sequelize, { concurrency: 1 });
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(ConflictError);
      expect((error as Error).message).to.contain('Outra execução de migrações');
    } finally {
      await holder.end();
    }
    // Once the lock is free the runner works again.
    const report = await runMigrations(testEnv().sequelize, { concurrency: 1, tenantMigrations: [...real, probe('9001-probe')] });
    expect(report.failed).to.deep.equal([]);
  });

  it('lets exactly one of two simultaneous runs work', async () => {
    const slow: Migration = {
      name: '9002-slow',
      up: async () => {
        await new Promise((r) => setTimeout(r, 30));
      },
    };
    const opts = { concurrency: 1, tenantMigrations: [...real, probe('9001-probe'), slow] };
    const results = await Promise.allSettled([runMigrations(testEnv().sequelize, opts), runMigrations(testEnv().sequelize, opts)]);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).to.have.length(1);
    expect((refused[0] as PromiseRejectedResult).reason).to.be.instanceOf(ConflictError);
  });
});
