import type { MigrationParams } from '../../server/db/migration-types';

/**
 * Consulta pública: its lists read processes the public may find (effective level público or
 * restrito — the predicate `anonymousFindableSql` writes, word for word, so these partial indexes
 * apply) newest first, by type, by unit of origin or by period, one keyset page at a time.
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(
    `
    CREATE INDEX processes_public_created_idx ON processes (created_at DESC, id DESC) WHERE effective_level IN ('public', 'restricted');
    CREATE INDEX processes_public_type_idx ON processes (process_type_id, created_at DESC, id DESC) WHERE effective_level IN ('public', 'restricted');
    CREATE INDEX processes_public_unit_idx ON processes (origin_unit_id, created_at DESC, id DESC) WHERE effective_level IN ('public', 'restricted');
    `,
    { transaction: context.transaction },
  );
}
