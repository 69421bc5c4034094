import type { MigrationParams } from '../../server/db/migration-types';

/**
 * Exports as worker jobs (issue 17: the console's "Exportar dados"): a queued row is claimed by a
 * worker with a lease (like the outbox), its phase and n/total are written as it goes, and a row
 * whose lease ran out (the worker died) is claimed again and exported again from the start.
 * At most one export of a tenant is queued or running at a time.
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(
    `
    ALTER TABLE platform.tenant_exports
      ADD COLUMN phase TEXT,
      ADD COLUMN done INTEGER NOT NULL DEFAULT 0,
      ADD COLUMN total INTEGER NOT NULL DEFAULT 0,
      ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0,
      ADD COLUMN locked_until TIMESTAMPTZ,
      ADD COLUMN started_at TIMESTAMPTZ,
      ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();
    CREATE UNIQUE INDEX tenant_exports_one_pending ON platform.tenant_exports (tenant_id) WHERE status IN ('queued', 'running');
    CREATE INDEX tenant_exports_due ON platform.tenant_exports (id) WHERE status IN ('queued', 'running');
    `,
    { transaction: context.transaction },
  );
}
