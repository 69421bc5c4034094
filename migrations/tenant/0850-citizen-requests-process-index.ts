import type { MigrationParams } from '../../server/db/migration-types';

/**
 * The process page asks, for every process, whether a citizen's request became it (the
 * "Intimações do interessado" slot): an index on the few requests that did, not a scan of all.
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query('CREATE INDEX citizen_requests_process_idx ON citizen_requests (process_id) WHERE process_id IS NOT NULL;', { transaction: context.transaction });
}
