import type { MigrationParams } from '../../server/db/migration-types';

/**
 * Database-wide search support, in its own schema (never `public`): accent-insensitive Portuguese
 * full-text search (`extensions.pt_unaccent`) and trigram matching. Tenant schemas refer to these
 * shared objects like to a reference table.
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(
    `
    CREATE SCHEMA IF NOT EXISTS extensions;
    CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA extensions;
    CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA extensions;
    CREATE TEXT SEARCH CONFIGURATION extensions.pt_unaccent (COPY = pg_catalog.portuguese);
    ALTER TEXT SEARCH CONFIGURATION extensions.pt_unaccent
      ALTER MAPPING FOR hword, hword_part, word WITH extensions.unaccent, portuguese_stem;
    CREATE FUNCTION extensions.immutable_unaccent(text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      RETURN extensions.unaccent('extensions.unaccent'::regdictionary, $1);
    `,
    { transaction: context.transaction },
  );
}
