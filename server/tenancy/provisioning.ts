import { performance } from 'node:perf_hooks';
import { UniqueConstraintError, type Sequelize } from 'sequelize';
import { seedTenant } from '../../seeders/tenant-defaults';
import { loadMigrations, migrateSchema } from '../db/migrator';
import { ConflictError } from '../errors';
import { PlatformAuditEntry, Tenant, TenantDomain } from '../models';
import { enterTenantSchema, schemaFor, setCurrentTenant, type TenantRef } from './context';
import type { TenantDefinition } from './definition';
import type { TenantRegistry } from './registry';

export interface ProvisionOptions {
  /** Hash given to the definition's users (demo tenants); null leaves them to set a password by invitation. */
  passwordHash?: string | null;
  actor?: { type: 'operator' | 'system'; id?: string | null };
  /** Runs last inside the provisioning transaction, with the new tenant as context (e.g. invitations). */
  afterSeed?: (tenant: TenantRef, unitIds: Map<string, string>) => Promise<void>;
}

export interface ProvisionResult {
  tenant: TenantRef;
  ms: number;
}

/**
 * Creates a tenant: its registry row, its schema with every migration, its default rows. One
 * transaction, so a failure anywhere leaves nothing behind and the same call can be retried.
 * Used by the CLI, the demo seeding and the operators' approval.
 */
export async function provisionTenant(
  sequelize: Sequelize,
  registry: TenantRegistry | undefined,
  def: TenantDefinition,
  opts: ProvisionOptions = {},
): Promise<ProvisionResult> {
  const start = performance.now();
  const migrations = loadMigrations('tenant');
  let ref: TenantRef;
  try {
    ref = await sequelize.transaction(async (t) => {
      const row = await Tenant.create({
        slug: def.slug,
        name: def.name,
        kind: def.kind,
        uf: def.uf,
        ibgeCode: def.ibgeCode ?? null,
        numberingScheme: def.numberingScheme,
      });
      const id = String(row.id);
      const tenant: TenantRef = { id, slug: def.slug, name: def.name, schema: schemaFor(id) };
      for (const domain of def.domains) await TenantDomain.create({ tenantId: id, domain: domain.toLowerCase() });
      await sequelize.query(`CREATE SCHEMA "${tenant.schema}"`, { transaction: t });
      setCurrentTenant(tenant);
      await enterTenantSchema(t, tenant);
      const version = await migrateSchema(sequelize, t, tenant.schema, migrations);
      await row.update({ schemaVersion: version, migrationStatus: 'ok', migratedAt: new Date() });
      await sequelize.query('INSERT INTO platform.tenant_figures (tenant_id) VALUES ($1)', { bind: [id], transaction: t });
      const unitIds = await seedTenant(def, opts.passwordHash ?? null);
      await opts.afterSeed?.(tenant, unitIds);
      await PlatformAuditEntry.create({
        actorType: opts.actor?.type ?? 'system',
        actorId: opts.actor?.id ?? null,
        tenantId: id,
        action: 'tenant.provisioned',
        details: { slug: def.slug, name: def.name },
        ip: null,
        requestId: null,
      });
      return tenant;
    });
  } catch (err) {
    if (err instanceof UniqueConstraintError) {
      throw new ConflictError(`Já existe um ente com o endereço "${def.slug}" ou com um dos domínios informados.`);
    }
    throw err;
  }
  await registry?.announceChange();
  return { tenant: ref, ms: performance.now() - start };
}
