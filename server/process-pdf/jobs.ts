import crypto from 'node:crypto';
import type { Config } from '../config';
import type { Actor } from '../web/actor';
import { readableProcess } from '../processes/access';
import { chunkedFileStream, tenantChunkReader } from '../documents/chunks';
import type { FileDownload } from '../documents/download';
import { ID_PATTERN } from '../documents/ids';
import { execute, select } from '../db/sql';
import { sha256Hex } from '../documents/storage';
import { DomainError, NotFoundError } from '../errors';
import { currentLogger } from '../logger';
import { inTenant, requireTenant, runWithTenant, type TenantRef } from '../tenancy/context';
import { ProgressWriter } from './progress';
import { buildProcessPdf, type ProcessPdfResult } from './service';

/**
 * Process PDFs are built in the background of the web process that was asked, but the job is a row
 * of the tenant table `process_pdf_jobs` (migration 0301), so the progress page and the download
 * work from any web process:
 * - the row is committed before the build starts;
 * - progress is written by a throttled `ProgressWriter`, each write its own short transaction in a
 *   fresh context (never inside the build's reads), which also keeps `updated_at` beating;
 * - the end writes status, progress and the PDF in one statement, or status `failed` with a pt-BR
 *   message (an unexpected error is logged with the job id and shown in general terms);
 * - a running job whose heartbeat is older than PDF_JOB_STALE_SECONDS died with its web process: it
 *   is marked failed when read; jobs are deleted PDF_JOB_KEEP_HOURS after their last update, by the
 *   sweep that runs when a job starts.
 * A job is only visible to its user, working in the same unit (the PDF holds what that unit may
 * read), for its process; anyone else gets 404.
 */

export type PdfJobStatus = 'running' | 'finished' | 'failed';

export interface PdfJobView {
  id: string;
  status: PdfJobStatus;
  done: number;
  total: number;
  error: string | null;
}

export type PdfBuilder = (config: Config, actor: Actor, processId: string, onProgress: (done: number, total: number) => void) => Promise<Pick<ProcessPdfResult, 'bytes' | 'fileName'>>;

export const INTERRUPTED_MESSAGE = 'a geração foi interrompida; gere novamente.';
export const UNEXPECTED_MESSAGE = 'ocorreu um erro inesperado; gere novamente. Se o problema continuar, procure o suporte.';
const GONE_MESSAGE = 'Este PDF não está mais disponível: gere-o novamente.';
/** A job's id: 32 hex digits (random, unguessable). */
export const JOB_ID = /^[0-9a-f]{32}$/;

interface JobRow {
  id: string;
  status: PdfJobStatus;
  done: number;
  total: number;
  error: string | null;
  stale: boolean;
}

function wellFormed(processId: string, jobId: string): boolean {
  return JOB_ID.test(jobId) && ID_PATTERN.test(processId);
}

const OWNER_SQL = 'id = $1 AND user_id = $2 AND unit_id = $3 AND process_id = $4';

/** Writes the job's progress (and so its heartbeat) in its own short transaction. */
function writeProgress(tenant: TenantRef, jobId: string, done: number, total: number): Promise<void> {
  return runWithTenant(tenant, () =>
    inTenant((t) => execute(t, "UPDATE process_pdf_jobs SET done = $2, total = $3, updated_at = now() WHERE id = $1 AND status = 'running'", [jobId, done, total])),
  );
}

async function finishJob(tenant: TenantRef, jobId: string, progress: { done: number; total: number }, result: { bytes: Buffer; fileName: string }): Promise<void> {
  await runWithTenant(tenant, () =>
    inTenant((t) =>
      execute(
        t,
        `UPDATE process_pdf_jobs SET status = 'finished', done = $2, total = $3, file_name = $4, pdf = $5, pdf_sha256 = $6, finished_at = now(), updated_at = now()
          WHERE id = $1 AND status = 'running'`,
        [jobId, progress.done, progress.total, result.fileName, result.bytes, sha256Hex(result.bytes)],
      ),
    ),
  );
}

async function failJob(tenant: TenantRef, jobId: string, progress: { done: number; total: number }, message: string): Promise<void> {
  await runWithTenant(tenant, () =>
    inTenant((t) =>
      execute(
        t,
        `UPDATE process_pdf_jobs SET status = 'failed', done = $2, total = $3, error = $4, finished_at = now(), updated_at = now()
          WHERE id = $1 AND status = 'running'`,
        [jobId, progress.done, progress.total, message],
      ),
    ),
  );
}

export interface StartedPdfJob {
  id: string;
  /** Settles when the job has been recorded as finished or failed (tests wait on it; routes do not). */
  settled: Promise<void>;
}

/**
 * Starts "Gerar PDF do processo" for the actor: checks they may read the process, sweeps old jobs
 * and records the new one (committed before the build starts), then builds in the background.
 */
export async function startPdfJob(config: Config, actor: Actor, processId: string, build: PdfBuilder = buildProcessPdf): Promise<StartedPdfJob> {
  const tenant = requireTenant();
  const id = crypto.randomBytes(16).toString('hex');
  await runWithTenant(tenant, () =>
    inTenant(async (t) => {
      await readableProcess(t, actor, processId);
      await execute(t, 'DELETE FROM process_pdf_jobs WHERE updated_at < now() - make_interval(secs => $1)', [config.PDF_JOB_KEEP_HOURS * 3600]);
      await execute(t, 'INSERT INTO process_pdf_jobs (id, user_id, unit_id, process_id) VALUES ($1, $2, $3, $4)', [id, actor.userId, actor.unitId, processId]);
    }),
  );
  const log = currentLogger().child({ tenantId: tenant.id, pdfJob: id });
  const progress = new ProgressWriter(
    ({ done, total }) => writeProgress(tenant, id, done, total),
    { intervalMs: config.PDF_JOB_PROGRESS_MS, heartbeatMs: Math.max(1000, (config.PDF_JOB_STALE_SECONDS * 1000) / 4) },
    (err) => log.warn({ err }, 'progresso do PDF não gravado'),
  );
  const run = async (): Promise<void> => {
    let result: { bytes: Buffer; fileName: string };
    try {
      result = await runWithTenant(tenant, () => build(config, actor, processId, (done, total) => progress.report(done, total)));
    } catch (err) {
      await progress.stop();
      if (!(err instanceof DomainError)) log.error({ err }, 'falha ao gerar o PDF do processo');
      await failJob(tenant, id, progress.current, err instanceof DomainError ? err.message : UNEXPECTED_MESSAGE);
      return;
    }
    await progress.stop();
    await finishJob(tenant, id, progress.current, result);
  };
  const settled = run().catch((err: unknown) => log.error({ err }, 'falha ao gravar o fim do PDF do processo'));
  return { id, settled };
}

/** The actor's job (NotFound for anyone else's); a running job whose heartbeat stopped is failed. */
export async function findPdfJob(config: Config, actor: Actor, processId: string, jobId: string): Promise<PdfJobView> {
  if (!wellFormed(processId, jobId)) throw new NotFoundError(GONE_MESSAGE);
  return inTenant(async (t) => {
    const owner = [jobId, actor.userId, actor.unitId, processId];
    const [row] = await select<JobRow>(
      t,
      `SELECT id, status, done, total, error, (status = 'running' AND updated_at < now() - make_interval(secs => $5)) AS stale
         FROM process_pdf_jobs WHERE ${OWNER_SQL}`,
      [...owner, config.PDF_JOB_STALE_SECONDS],
    );
    if (!row) throw new NotFoundError(GONE_MESSAGE);
    if (row.stale) {
      await execute(t, `UPDATE process_pdf_jobs SET status = 'failed', error = $5, finished_at = now() WHERE ${OWNER_SQL} AND status = 'running'`, [...owner, INTERRUPTED_MESSAGE]);
      return { id: row.id, status: 'failed', done: row.done, total: row.total, error: INTERRUPTED_MESSAGE };
    }
    return { id: row.id, status: row.status, done: row.done, total: row.total, error: row.error };
  });
}

/**
 * The finished PDF of the actor's job, when they may still read the process (access is checked
 * again: it may have been lost since the job started). The bytes are streamed in chunks.
 */
export async function pdfJobDownload(actor: Actor, processId: string, jobId: string): Promise<FileDownload> {
  if (!wellFormed(processId, jobId)) throw new NotFoundError(GONE_MESSAGE);
  const tenant = requireTenant();
  const file = await inTenant(async (t) => {
    const [row] = await select<{ file_name: string; size: number; pdf_sha256: string }>(
      t,
      `SELECT file_name, octet_length(pdf) AS size, pdf_sha256 FROM process_pdf_jobs WHERE ${OWNER_SQL} AND status = 'finished'`,
      [jobId, actor.userId, actor.unitId, processId],
    );
    if (!row) throw new NotFoundError(GONE_MESSAGE);
    await readableProcess(t, actor, processId);
    return { name: row.file_name, mime: 'application/pdf', size: Number(row.size), sha256: row.pdf_sha256 };
  });
  const reader = tenantChunkReader(tenant, "SELECT substring(pdf FROM $2::int FOR $3::int) AS chunk FROM process_pdf_jobs WHERE id = $1 AND status = 'finished'", jobId);
  return { ...file, open: () => chunkedFileStream(file, reader) };
}
