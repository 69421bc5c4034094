import type { MigrationParams } from '../../server/db/migration-types';

/**
 * The letterhead of the tenant's documents: each unit's postal address, and the tenant's coat of
 * arms (brasão), an image uploaded by its administrator and kept in file_contents like any file.
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(
    `
    ALTER TABLE units ADD COLUMN address TEXT CHECK (length(address) <= 300);
    CREATE TABLE tenant_settings (
      id SMALLINT PRIMARY KEY DEFAULT 1 CHECK (id = 1),
      arms_sha256 TEXT REFERENCES file_contents (sha256),
      arms_mime TEXT CHECK (arms_mime IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp')),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    `,
    { transaction: context.transaction },
  );
}
