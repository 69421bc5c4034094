import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { ConflictError } from '../../../server/errors';
import { DocumentType, LegalBasis, PlatformAuditEntry, ProcessType, Tenant, Unit, User } from '../../../server/models';
import { inTenant, runWithTenant } from '../../../server/tenancy/context';
import { loadMigrations } from '../../../server/db/migrator';
import { countReadySpares, prepareSpareSchemas, provisionTenant } from '../../../server/tenancy/provisioning';
import { testEnv } from '../../support/environment';
import { createTestTenant, tenantDefinition, uniqueSlug } from '../../support/tenants';

async function schemaCount(): Promise<number> {
  const [row] = await testEnv().sequelize.query<{ n: string }>("SELECT count(*) AS n FROM pg_namespace WHERE nspname LIKE 'tenant\\_%'", {
    type: QueryTypes.SELECT,
  });
  return Number(row.n);
}

describe('Integration - tenancy/provisioning', () => {
  it('creates the schema with every migration, the default catalogs, the unit tree and the users', async () => {
    const t = await createTestTenant();
    const row = await Tenant.findByPk(t.tenant.id);
    const migrations = loadMigrations('tenant');
    expect(row!.schemaVersion).to.equal(migrations[migrations.length - 1].name);
    expect(row!.status).to.equal('active');
    await runWithTenant(t.tenant, () =>
      inTenant(async () => {
        const units = await Unit.findAll({ order: [['id', 'ASC']] });
        expect(units.map((u) => u.acronym)).to.deep.equal(['PMT', 'SEGOV', 'SMS']);
        expect(units[1].parentId).to.equal(units[0].id);
        expect(await User.count()).to.equal(2);
        expect(await ProcessType.count()).to.be.greaterThan(5);
        expect(await LegalBasis.count()).to.be.greaterThan(3);
        const names = (await DocumentType.findAll()).map((d) => d.name);
        expect(names).to.include.members(['Ofício', 'Memorando', 'Despacho', 'Portaria', 'Requerimento', 'Parecer']);
      }),
    );
    expect(await PlatformAuditEntry.count({ where: { tenantId: t.tenant.id, action: 'tenant.provisioned' } })).to.equal(1);
  });

  it('leaves nothing behind when provisioning fails half-way, and the same request can be retried', async () => {
    const slug = uniqueSlug('rb');
    const bad = tenantDefinition({
      slug,
      root: { acronym: 'PMX', name: 'Prefeitura X', children: [{ acronym: 'SEGOV', name: 'Um' }, { acronym: 'SEGOV', name: 'Dois' }] },
      users: [],
    });
    const schemasBefore = await schemaCount();
    let error: unknown;
    try {
      await provisionTenant(testEnv().sequelize, testEnv().registry, bad);
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(Error);
    expect(await Tenant.count({ where: { slug } })).to.equal(0);
    expect(await schemaCount()).to.equal(schemasBefore);
    expect((await testEnv().registry.resolve(`${slug}.localhost`)).type).to.equal('unknown');

    const good = tenantDefinition({ slug, users: [] });
    const { tenant } = await provisionTenant(testEnv().sequelize, testEnv().registry, good);
    expect(tenant.slug).to.equal(slug);
    expect(await schemaCount()).to.equal(schemasBefore + 1);
    expect((await testEnv().registry.resolve(`${slug}.localhost`)).type).to.equal('tenant');
  });

  it('refuses a slug that is already taken with a clear message, creating nothing', async () => {
    const t = await createTestTenant();
    const before = await schemaCount();
    let error: unknown;
    try {
      await provisionTenant(testEnv().sequelize, testEnv().registry, tenantDefinition({ slug: t.definition.slug }));
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ConflictError);
    expect((error as Error).message).to.contain(t.definition.slug);
    expect(await schemaCount()).to.equal(before);
  });

  it('provisions several tenants at once without mixing their rows', async () => {
    const many = await Promise.all(Array.from({ length: 6 }, (_, i) => createTestTenant({ name: `Ente paralelo ${i}` })));
    for (const t of many) {
      const names = await runWithTenant(t.tenant, () => inTenant(async () => (await User.findAll()).map((u) => u.email)));
      expect(names.every((e) => e.endsWith(`@${t.definition.slug}.test`))).to.equal(true);
    }
  });
});

describe('Integration - tenancy/provisioning with spare schemas', () => {
  it('claims a spare schema prepared ahead of time, which has every migration and the default catalogs', async () => {
    const { sequelize, registry } = testEnv();
    await prepareSpareSchemas(sequelize, 1);
    expect(await countReadySpares(sequelize)).to.be.greaterThan(0);
    const result = await provisionTenant(sequelize, registry, tenantDefinition());
    expect(result.fromSpare).to.equal(true);
    const row = await Tenant.findByPk(result.tenant.id);
    expect(row!.status).to.equal('active');
    expect(row!.slug).to.equal(result.tenant.slug);
    await runWithTenant(result.tenant, () =>
      inTenant(async () => {
        expect((await Unit.findAll()).map((u) => u.acronym).sort()).to.deep.equal(['PMT', 'SEGOV', 'SMS']);
        expect(await DocumentType.count()).to.be.greaterThan(5);
        expect(await User.count()).to.equal(2);
      }),
    );
    expect((await registry.resolve(`${result.tenant.slug}.localhost`)).type).to.equal('tenant');
  });

  it('never claims a spare left behind by a newer migration, and never shows a spare on any host or figure', async () => {
    const { sequelize, registry } = testEnv();
    await prepareSpareSchemas(sequelize, 1);
    await sequelize.query("UPDATE platform.tenants SET schema_version = '0000-antiga' WHERE status = 'spare'");
    const result = await provisionTenant(sequelize, registry, tenantDefinition());
    expect(result.fromSpare).to.equal(false);
    const spares = await Tenant.findAll({ where: { status: 'spare' } });
    expect(spares.length).to.be.greaterThan(0);
    expect((await registry.resolve(`reserva-${spares[0].id}.localhost`)).type).to.equal('unknown');
    await sequelize.query("DELETE FROM platform.tenants WHERE status = 'spare' AND schema_version = '0000-antiga'");
  });

  it('hands each spare to one government only when several are provisioned at once', async () => {
    const { sequelize, registry } = testEnv();
    await prepareSpareSchemas(sequelize, 2);
    const results = await Promise.all(Array.from({ length: 4 }, () => provisionTenant(sequelize, registry, tenantDefinition())));
    const ids = results.map((r) => r.tenant.id);
    expect(new Set(ids).size).to.equal(4);
    expect(results.filter((r) => r.fromSpare).length).to.equal(2);
    for (const r of results) {
      const users = await runWithTenant(r.tenant, () => inTenant(async () => (await User.findAll()).map((u) => u.email)));
      expect(users.every((e) => e.endsWith(`@${r.tenant.slug}.test`))).to.equal(true);
    }
  });

  it('makes the target number of spares when several workers top up at once, not one batch each', async () => {
    const { sequelize } = testEnv();
    const target = (await countReadySpares(sequelize)) + 2;
    const made = await Promise.all(Array.from({ length: 4 }, () => prepareSpareSchemas(sequelize, target)));
    expect(made.reduce((a, b) => a + b, 0)).to.equal(2);
    expect(await countReadySpares(sequelize)).to.equal(target);
  });
});
