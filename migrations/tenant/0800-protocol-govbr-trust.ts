import type { MigrationParams } from '../../server/db/migration-types';

/**
 * gov.br in the citizen portal: the trust level (selo bronze, prata, ouro) of the account a request
 * was filed with (null when the citizen identified by e-mail), and the level a service may require.
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(
    `
    ALTER TABLE citizen_services ADD COLUMN min_trust_level TEXT CHECK (min_trust_level IN ('prata', 'ouro'));
    ALTER TABLE citizen_requests ADD COLUMN trust_level TEXT CHECK (trust_level IN ('bronze', 'prata', 'ouro'));
    ALTER TABLE citizen_requests ADD CHECK (identified_by = 'govbr' OR trust_level IS NULL);
    `,
    { transaction: context.transaction },
  );
}
