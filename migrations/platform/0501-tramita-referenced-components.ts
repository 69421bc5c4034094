import type { MigrationParams } from '../../server/db/migration-types';

/**
 * The return trip (docs/decisions/tramita.md): a component the destination already holds — it sent
 * or received those bytes in an earlier accepted transfer of the same NUP — travels as a reference,
 * with its hash and size but no blob; the receiver checks it against its own copy.
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(`ALTER TABLE platform.tramita_components ADD COLUMN referenced BOOLEAN NOT NULL DEFAULT false;
     CREATE INDEX tramita_transfers_nup_idx ON platform.tramita_transfers (nup);`, { transaction: context.transaction });
}
