import type { MigrationParams } from '../../server/db/migration-types';

/**
 * STORAGE EXTERNAL (uncompressed out-of-line TOAST) on `file_contents.content`, so
 * `substring(content FROM o FOR n)` fetches only the TOAST chunks of that range: downloads stream
 * chunk by chunk in short transactions. This only affects rows written from now on (older rows keep
 * their storage: those pglz did compress are decompressed whole by each substring, correct but
 * slower); uploaded PDFs and images are already compressed formats, so little space is lost.
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query('ALTER TABLE file_contents ALTER COLUMN content SET STORAGE EXTERNAL;', { transaction: context.transaction });
}
