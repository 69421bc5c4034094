import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { ConflictError } from '../../../server/errors';
import { DocumentType, LegalBasis, PlatformAuditEntry, ProcessType, Tenant, Unit, User } from '../../../server/models';
import { inTenant, runWithTenant } from '../../../server/tenancy/context';
import { loadMigrations } from '../../../server/db/migrator';
import { provisionTenant } from '../../../server/tenancy/provisioning';
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
