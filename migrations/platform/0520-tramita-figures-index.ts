import type { MigrationParams } from '../../server/db/migration-types';

/**
 * The landing page counts the transfers that reached the receiver (total and last 30 days, by the
 * time they ended): a partial index on that moment keeps both counts index-only as transfers grow.
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(
    `CREATE INDEX tramita_transfers_completed_idx ON platform.tramita_transfers (ended_at)
       WHERE state IN ('recebido', 'recibo_conclusao')`,
    { transaction: context.transaction },
  );
}
