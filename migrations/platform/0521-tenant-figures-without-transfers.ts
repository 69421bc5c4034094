import type { MigrationParams } from '../../server/db/migration-types';

/**
 * `tenant_figures.transfers` was a counter nothing ever incremented. The landing page counts the
 * transfers from `tramita_transfers` itself (0520's index), which also gives the last 30 days that a
 * counter cannot: the column goes, so no one reads a figure that is always 0.
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query('ALTER TABLE platform.tenant_figures DROP COLUMN transfers;', { transaction: context.transaction });
}
