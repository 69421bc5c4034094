import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Sequelize, Transaction } from 'sequelize';
import { Umzug, type UmzugStorage } from 'umzug';
import { ConflictError } from '../errors';
import { logger } from '../logger';
import { schemaFor } from '../tenancy/context';
import type { MigrationContext, MigrationModule } from './migration-types';
import { enterMigratedSchema, migrationExecute, migrationSelect, platformExecute, platformSelect } from './sql';

const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations');
/** Key of the advisory lock that keeps two runners from working at once. */
const RUNNER_LOCK = 4_801_372_019;

export interface Migration extends MigrationModule {
  name: string;
}

const cache = new Map<string, Migration[]>();

export function loadMigrations(kind: 'platform' | 'tenant', dir = path.join(MIGRATIONS_DIR, kind)): Migration[] {
  const hit = cache.get(dir);
  if (hit) return hit;
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}-[\w-]+\.(ts|js)$/.test(f))
    .sort();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const list = files.map((f) => ({ name: f.replace(/\.(ts|js)$/, ''), ...(require(path.join(dir, f)) as MigrationModule) }));
  cache.set(dir, list);
  return list;
}

/** The ledger of one schema, read and written in the migrating transaction. */
class SchemaLedger implements UmzugStorage<MigrationContext> {
  async executed({ context }: { context: MigrationContext }): Promise<string[]> {
    const { schema } = context;
    await migrationExecute(
      context,
      `CREATE TABLE IF NOT EXISTS "${schema}".schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    const rows = await migrationSelect<{ name: string }>(context, `SELECT name FROM "${schema}".schema_migrations ORDER BY name`);
    return rows.map((r) => r.name);
  }

  async logMigration({ name, context }: { name: string; context: MigrationContext }): Promise<void> {
    await migrationExecute(context, `INSERT INTO "${context.schema}".schema_migrations (name) VALUES ($1)`, [name]);
  }

  async unlogMigration({ name, context }: { name: string; context: MigrationContext }): Promise<void> {
    await migrationExecute(context, `DELETE FROM "${context.schema}".schema_migrations WHERE name = $1`, [name]);
  }
}

const ledger = new SchemaLedger();

/** Applies the pending migrations of one schema inside `transaction`; returns the last one applied. */
export async function migrateSchema(
  sequelize: Sequelize,
  transaction: Transaction,
  schema: string,
  migrations: Migration[],
): Promise<string | null> {
  const umzug = new Umzug<MigrationContext>({
    migrations: migrations.map((m) => ({ name: m.name, up: m.up, down: m.down })),
    context: { sequelize, transaction, schema },
    storage: ledger,
    logger: undefined,
  });
  await umzug.up();
  return migrations.length ? migrations[migrations.length - 1].name : null;
}

export async function migratePlatform(sequelize: Sequelize, migrations = loadMigrations('platform')): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await migrationExecute({ sequelize, transaction, schema: 'platform' }, 'CREATE SCHEMA IF NOT EXISTS platform');
    await migrateSchema(sequelize, transaction, 'platform', migrations);
  });
}

export interface TenantOutcome {
  id: string;
  slug: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export interface RunReport {
  tenants: number;
  upToDate: number;
  migrated: TenantOutcome[];
  failed: TenantOutcome[];
  totalMs: number;
}

export interface RunOptions {
  concurrency: number;
  tenantMigrations?: Migration[];
  platformMigrations?: Migration[];
  onProgress?: (done: number, total: number, outcome: TenantOutcome) => void;
}

/** Migrates one tenant in one transaction: every pending migration and its outcome row, or nothing. */
async function migrateTenant(
  sequelize: Sequelize,
  tenant: { id: string; slug: string },
  migrations: Migration[],
): Promise<TenantOutcome> {
  const start = performance.now();
  try {
    await sequelize.transaction(async (transaction) => {
      const schema = schemaFor(tenant.id);
      await enterMigratedSchema({ sequelize, transaction, schema });
      const version = await migrateSchema(sequelize, transaction, schema, migrations);
      await platformExecute(
        sequelize,
        `UPDATE platform.tenants SET schema_version = $1, migration_status = 'ok', migration_error = NULL, migrated_at = now() WHERE id = $2`,
        [version, tenant.id],
        transaction,
      );
    });
    return { ...tenant, ok: true, ms: performance.now() - start };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await platformExecute(sequelize, `UPDATE platform.tenants SET migration_status = 'failed', migration_error = $1, migrated_at = now() WHERE id = $2`, [
      message,
      tenant.id,
    ]);
    return { ...tenant, ok: false, ms: performance.now() - start, error: message };
  }
}

/**
 * The migration runner: `platform` first, then every tenant whose recorded version is behind (or
 * failed), with bounded parallelism. One tenant's failure is recorded and the others go on; a re-run
 * resumes where the last one stopped. A second runner at the same time is refused.
 */
export async function runMigrations(sequelize: Sequelize, opts: RunOptions): Promise<RunReport> {
  const started = performance.now();
  const lockConn = (await sequelize.connectionManager.getConnection({ type: 'write' })) as unknown as {
    query(sql: string, values?: unknown[]): Promise<{ rows: { locked: boolean }[] }>;
  };
  try {
    const { rows } = await lockConn.query('SELECT pg_try_advisory_lock($1) AS locked', [RUNNER_LOCK]);
    if (!rows[0].locked) {
      throw new ConflictError('Outra execução de migrações está em andamento; tente novamente quando ela terminar.');
    }
    try {
      await migratePlatform(sequelize, opts.platformMigrations);
      const migrations = opts.tenantMigrations ?? loadMigrations('tenant');
      const latest = migrations.length ? migrations[migrations.length - 1].name : null;
      const all = await platformSelect<{ id: string; slug: string; schema_version: string | null; migration_status: string | null }>(
        sequelize,
        // A closed tenant whose schema was dropped (server/export/offboarding.ts) has nothing to migrate;
        // read through to_jsonb so that runs with only the first platform migrations work too.
        `SELECT id, coalesce(slug, 'reserva-' || id) AS slug, schema_version, migration_status FROM platform.tenants t
          WHERE (to_jsonb(t) ->> 'schema_dropped_at') IS NULL ORDER BY id`,
      );
      const pending = all.filter((t) => t.schema_version !== latest || t.migration_status !== 'ok');
      const migrated: TenantOutcome[] = [];
      const failed: TenantOutcome[] = [];
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < pending.length) {
          const t = pending[next++];
          const outcome = await migrateTenant(sequelize, { id: String(t.id), slug: t.slug }, migrations);
          (outcome.ok ? migrated : failed).push(outcome);
          if (!outcome.ok) logger.error({ tenant: t.slug, err: outcome.error }, 'migração do ente falhou');
          opts.onProgress?.(migrated.length + failed.length, pending.length, outcome);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));
      return {
        tenants: all.length,
        upToDate: all.length - pending.length,
        migrated,
        failed,
        totalMs: performance.now() - started,
      };
    } finally {
      await lockConn.query('SELECT pg_advisory_unlock($1)', [RUNNER_LOCK]);
    }
  } finally {
    sequelize.connectionManager.releaseConnection(lockConn as never);
  }
}
