import type { MigrationParams } from '../../server/db/migration-types';

/**
 * Packing in steps (docs/decisions/tramita.md, "Packing in the worker"): a transfer is created
 * `iniciado` with the number of components it will carry, then packed one component per
 * transaction, `packed_count` saying how far it got (the progress the origin sees, and where a
 * packing resumes after a crash). The lease keeps two packers off the same transfer.
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(
    `ALTER TABLE platform.tramita_transfers
       ADD COLUMN packed_count INTEGER NOT NULL DEFAULT 0 CHECK (packed_count >= 0),
       ADD COLUMN pack_lease_until TIMESTAMPTZ;
     CREATE INDEX tramita_transfers_packing_idx ON platform.tramita_transfers (id) WHERE state = 'iniciado';`,
    { transaction: context.transaction },
  );
}
