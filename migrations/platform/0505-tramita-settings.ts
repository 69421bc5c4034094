import type { MigrationParams } from '../../server/db/migration-types';

/**
 * The deployment's Tramita settings, set by MGI operators in the console: the days a transfer
 * nobody received waits before it is cancelled automatically (7 by default, as the national bus).
 * One row.
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(
    `CREATE TABLE platform.tramita_settings (
       id BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
       timeout_days INTEGER NOT NULL DEFAULT 7 CHECK (timeout_days BETWEEN 1 AND 90),
       updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
     );
     INSERT INTO platform.tramita_settings (id) VALUES (true);`,
    { transaction: context.transaction },
  );
}
