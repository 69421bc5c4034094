import type { MigrationParams } from '../../../../server/db/migration-types';

/** Fixture for the migration-run fault test: one ADD COLUMN on a tenant table. */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query('ALTER TABLE units ADD COLUMN fault_probe INTEGER', { transaction: context.transaction });
}

export async function down({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query('ALTER TABLE units DROP COLUMN fault_probe', { transaction: context.transaction });
}
