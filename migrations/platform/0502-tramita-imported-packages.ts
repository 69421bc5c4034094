import type { MigrationParams } from '../../server/db/migration-types';

/**
 * Packages from outside PEN Nuvem (docs/tramita-package.md): a receiving unit imports a package
 * file, and it becomes a transfer like any other — verified, accepted or refused, with its receipt —
 * whose origin is not a tenant but the sender the manifest names. Such a transfer has no origin
 * tenant, unit, user or process, and nothing to write back at an origin.
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(
    `ALTER TABLE platform.tramita_transfers
       ALTER COLUMN origin_tenant_id DROP NOT NULL,
       ALTER COLUMN origin_unit_id DROP NOT NULL,
       ALTER COLUMN origin_user_id DROP NOT NULL,
       ALTER COLUMN origin_process_id DROP NOT NULL,
       ADD COLUMN external_origin TEXT,
       ADD COLUMN imported_by_user_id BIGINT,
       ADD CONSTRAINT tramita_transfers_origin_kind CHECK (
         CASE WHEN origin_tenant_id IS NULL
              THEN external_origin IS NOT NULL AND imported_by_user_id IS NOT NULL
              ELSE external_origin IS NULL AND origin_unit_id IS NOT NULL AND origin_user_id IS NOT NULL AND origin_process_id IS NOT NULL
         END);`,
    { transaction: context.transaction },
  );
}
