import type { MigrationParams } from '../../server/db/migration-types';

/**
 * Acceptance of a large package in the worker (docs/decisions/tramita.md, "Unpacking in the
 * worker"): the receiving user's "Aceitar" is recorded (who, when), and the worker runs the one
 * acceptance transaction for them; a refusal the acceptance meets (a conflict) is kept for the page.
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(
    `ALTER TABLE platform.tramita_transfers
       ADD COLUMN accept_requested_at TIMESTAMPTZ,
       ADD COLUMN accept_requested_by_user_id BIGINT,
       ADD COLUMN accept_lease_until TIMESTAMPTZ,
       ADD COLUMN accept_error TEXT,
       ADD CONSTRAINT tramita_transfers_accept_request CHECK ((accept_requested_at IS NULL) = (accept_requested_by_user_id IS NULL));
     CREATE INDEX tramita_transfers_accepting_idx ON platform.tramita_transfers (id) WHERE accept_requested_at IS NOT NULL AND state = 'componentes_enviados';`,
    { transaction: context.transaction },
  );
}
