import type { MigrationParams } from '../../server/db/migration-types';

/**
 * Process PDF jobs live in the tenant schema, so any web process behind the balancer can show a
 * job's progress and serve its file, whichever process builds it.
 * - `id` is 128 random bits in hex (unguessable; still only shown to the user, unit and process it
 *   belongs to). `updated_at` is the heartbeat: a running job whose heartbeat is old was interrupted.
 * - The finished PDF is kept here (`pdf`) rather than in `file_contents`: it is a throwaway copy,
 *   deleted with its row after PDF_JOB_KEEP_HOURS, and `file_contents` holds the documents' own
 *   files (content-addressed, referenced by documents, never garbage-collected by a sweep).
 * - No index besides the key: progress updates touch no indexed column, so they stay HOT updates of
 *   a small row (the bytes live in TOAST); the sweep scans a table that holds one day of jobs.
 * - STORAGE EXTERNAL (uncompressed out-of-line TOAST) on `process_pdf_jobs.pdf` and
 *   `file_contents.content`, so `substring(col FROM o FOR n)` fetches only the TOAST chunks of that
 *   range: downloads stream chunk by chunk in short transactions. For `file_contents` this only
 *   affects rows written from now on (older rows keep their storage: those pglz did compress are
 *   decompressed whole by each substring, correct but slower); uploaded PDFs and images are already
 *   compressed formats, so little space is lost.
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(
    `
    CREATE TABLE process_pdf_jobs (
      id TEXT PRIMARY KEY CHECK (id ~ '^[0-9a-f]{32}$'),
      user_id BIGINT NOT NULL REFERENCES users (id),
      unit_id BIGINT NOT NULL REFERENCES units (id),
      process_id BIGINT NOT NULL REFERENCES processes (id),
      status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'finished', 'failed')),
      done INTEGER NOT NULL DEFAULT 0 CHECK (done >= 0),
      total INTEGER NOT NULL DEFAULT 0 CHECK (total >= 0),
      error TEXT,
      file_name TEXT,
      pdf BYTEA,
      pdf_sha256 TEXT CHECK (pdf_sha256 ~ '^[0-9a-f]{64}$'),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      finished_at TIMESTAMPTZ,
      CHECK (status <> 'finished' OR (file_name IS NOT NULL AND pdf IS NOT NULL AND pdf_sha256 IS NOT NULL AND finished_at IS NOT NULL)),
      CHECK (status <> 'failed' OR (error IS NOT NULL AND finished_at IS NOT NULL))
    );
    ALTER TABLE process_pdf_jobs ALTER COLUMN pdf SET STORAGE EXTERNAL;
    ALTER TABLE file_contents ALTER COLUMN content SET STORAGE EXTERNAL;
    `,
    { transaction: context.transaction },
  );
}
