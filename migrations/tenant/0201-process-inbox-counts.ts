import type { MigrationParams } from '../../server/db/migration-types';

/**
 * Indexes for the bounded counts of the Controle de processos: an index-only count of a unit's open
 * processes per list, and the (small) set of sigiloso processes to exclude from it.
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(
    `
    CREATE INDEX process_units_count_idx ON process_units (unit_id, list, process_id) WHERE open;
    CREATE INDEX processes_secret_idx ON processes (id) WHERE access_level = 'secret';
    `,
    { transaction: context.transaction },
  );
}
