import type { MigrationParams } from '../../server/db/migration-types';

/**
 * Spare tenant schemas: created and migrated ahead of time (no slug, status 'spare'), so that
 * provisioning a new government claims one instead of waiting on DDL.
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(
    `
    ALTER TABLE platform.tenants DROP CONSTRAINT tenants_status_check;
    ALTER TABLE platform.tenants ADD CONSTRAINT tenants_status_check CHECK (status IN ('active', 'suspended', 'spare'));
    ALTER TABLE platform.tenants ALTER COLUMN slug DROP NOT NULL;
    ALTER TABLE platform.tenants ADD CONSTRAINT tenants_slug_required CHECK (status = 'spare' OR slug IS NOT NULL);
    CREATE INDEX tenants_spare_idx ON platform.tenants (id) WHERE status = 'spare';
    `,
    { transaction: context.transaction },
  );
}
