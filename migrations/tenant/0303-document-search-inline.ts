import type { MigrationParams } from '../../server/db/migration-types';

/**
 * The full-text vector `documents.search` stays in the row (STORAGE MAIN) instead of going to
 * TOAST. A search for common words tests the vector of a few thousand rows and ranks the matches;
 * out of line, every test is a TOAST index probe and page read, about half the cost of a search.
 * MAIN still compresses when worthwhile and moves the vector out of line only when the row would
 * not fit otherwise (a very long document); the text columns (`content_text`, `body_html`) keep
 * EXTENDED storage and leave the row first. Affects rows written from now on; older rows keep their
 * out-of-line vectors until rewritten (correct, just slower to search).
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(`ALTER TABLE documents ALTER COLUMN search SET STORAGE MAIN`, { transaction: context.transaction });
}
