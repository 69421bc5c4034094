import { performance } from 'node:perf_hooks';
import { UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import { seedCatalogs } from '../../seeders/catalog-defaults';
import { seedTenant } from '../../seeders/tenant-defaults';
import { loadMigrations, migrateSchema } from '../db/migrator';
import { enterTenantSchema, migrationExecute, platformExecute, platformSelect } from '../db/sql';
import { ConflictError, ValidationError } from '../errors';
import { logger } from '../logger';
import { PlatformAuditEntry, Tenant, TenantDomain } from '../models';
import { setCurrentTenant, type TenantRef, tenantRef } from './context';
import type { TenantDefinition } from './definition';
import type { TenantRegistry } from './registry';
import { slugProblem } from './slugs';

export interface ProvisionOptions {
  /** Hash given to the definition's users (demo tenants); null leaves them to set a password by invitation. */
  passwordHash?: string | null;
  actor?: { type: 'operator' | 'system'; id?: string | null };
  /** Runs last inside the provisioning transaction, with the new tenant as context (e.g. invitations). */
  afterSeed?: (tenant: TenantRef, unitIds: Map<string, string>) => Promise<void>;
  /** Take a spare schema when one is ready (default). False always builds a new schema. */
  useSpare?: boolean;
}

export interface ProvisionResult {
  tenant: TenantRef;
  ms: number;
  /** True when a spare schema prepared ahead of time was used. */
  fromSpare: boolean;
}

function latestTenantMigration(): string | null {
  const migrations = loadMigrations('tenant');
  return migrations.length ? migrations[migrations.length - 1].name : null;
}

/** Creates schema `tenant_<id>` with every tenant migration and the default catalogs, in `t`. */
async function buildSchema(sequelize: Sequelize, t: Transaction, row: Tenant, tenant: TenantRef): Promise<void> {
  await migrationExecute({ sequelize, transaction: t, schema: tenant.schema }, `CREATE SCHEMA "${tenant.schema}"`);
  setCurrentTenant(tenant);
  await enterTenantSchema(t, tenant);
  const version = await migrateSchema(sequelize, t, tenant.schema, loadMigrations('tenant'));
  await row.update({ schemaVersion: version, migrationStatus: 'ok', migratedAt: new Date() });
  await seedCatalogs();
}

/** Locks and returns a spare schema at the latest version, or null when none is ready. */
async function claimSpare(sequelize: Sequelize, t: Transaction): Promise<Tenant | null> {
  const rows = await platformSelect<{ id: string }>(
    sequelize,
    `SELECT id FROM platform.tenants WHERE status = 'spare' AND schema_version IS NOT DISTINCT FROM $1 AND migration_status = 'ok'
      ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
    [latestTenantMigration()],
    t,
  );
  return rows.length ? Tenant.findByPk(rows[0].id, { transaction: t }) : null;
}

/**
 * Creates a tenant: its registry row, its schema with every migration, its default rows. One
 * transaction, so a failure anywhere leaves nothing behind and the same call can be retried.
 * When a spare schema (prepared ahead of time by `prepareSpareSchemas`) is ready, it is claimed
 * instead of running DDL while a user waits. Used by the CLI, the demo seeding and the operators'
 * approval.
 */
export async function provisionTenant(
  sequelize: Sequelize,
  registry: TenantRegistry | undefined,
  def: TenantDefinition,
  opts: ProvisionOptions = {},
): Promise<ProvisionResult> {
  // The address rule again here: every path (wizard, console, CLI, tests) ends in this function.
  const problem = slugProblem(def.slug);
  if (problem) throw new ValidationError(problem, { slug: problem });
  const start = performance.now();
  let ref: TenantRef;
  let fromSpare = false;
  try {
    ref = await sequelize.transaction(async (t) => {
      const identity = {
        slug: def.slug,
        name: def.name,
        kind: def.kind,
        uf: def.uf,
        ibgeCode: def.ibgeCode ?? null,
        numberingScheme: def.numberingScheme,
        openedAt: new Date(),
      };
      const spare = opts.useSpare === false ? null : await claimSpare(sequelize, t);
      let row: Tenant;
      let tenant: TenantRef;
      if (spare) {
        fromSpare = true;
        row = await spare.update({ ...identity, status: 'active' });
        tenant = tenantRef({ id: row.id, slug: def.slug, name: def.name });
        setCurrentTenant(tenant);
        await enterTenantSchema(t, tenant);
      } else {
        row = await Tenant.create(identity);
        tenant = tenantRef({ id: row.id, slug: def.slug, name: def.name });
        await buildSchema(sequelize, t, row, tenant);
      }
      for (const domain of def.domains) await TenantDomain.create({ tenantId: tenant.id, domain: domain.toLowerCase() });
      await platformExecute(sequelize, 'INSERT INTO platform.tenant_figures (tenant_id) VALUES ($1)', [tenant.id], t);
      const unitIds = await seedTenant(def, opts.passwordHash ?? null);
      await opts.afterSeed?.(tenant, unitIds);
      await PlatformAuditEntry.create({
        actorType: opts.actor?.type ?? 'system',
        actorId: opts.actor?.id ?? null,
        tenantId: tenant.id,
        action: 'tenant.provisioned',
        details: { slug: def.slug, name: def.name, spare: fromSpare },
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
  return { tenant: ref, ms: performance.now() - start, fromSpare };
}

/** Spare schemas at the latest version, ready to be claimed. */
export async function countReadySpares(sequelize: Sequelize): Promise<number> {
  const [row] = await platformSelect<{ n: string }>(
    sequelize,
    `SELECT count(*) AS n FROM platform.tenants WHERE status = 'spare' AND schema_version IS NOT DISTINCT FROM $1 AND migration_status = 'ok'`,
    [latestTenantMigration()],
  );
  return Number(row.n);
}

/** Key of the advisory lock that lets one process at a time top up the spare schemas. */
const SPARES_LOCK = 4_801_372_020;

/**
 * Tops up the spare schemas to `target` (background work of the worker process): each one a
 * migrated schema with the default catalogs, owned by a registry row with no slug. Each spare is made
 * under a transaction-level advisory lock, after counting again: several workers topping up at once
 * make `target` spares between them, not one batch each.
 */
export async function prepareSpareSchemas(sequelize: Sequelize, target: number): Promise<number> {
  let made = 0;
  for (;;) {
    const madeOne = await sequelize.transaction(async (t) => {
      await platformExecute(sequelize, 'SELECT pg_advisory_xact_lock($1)', [SPARES_LOCK], t);
      if ((await countReadySpares(sequelize)) >= target) return false;
      const row = await Tenant.create({ slug: null, name: 'Esquema reserva', kind: 'orgao', uf: '--', ibgeCode: null, status: 'spare' });
      const tenant = tenantRef({ id: row.id, slug: null, name: row.name });
      await buildSchema(sequelize, t, row, tenant);
      return true;
    });
    if (!madeOne) break;
    made++;
  }
  if (made) logger.info({ made, target }, 'esquemas reserva preparados');
  return made;
}
