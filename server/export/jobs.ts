import fs from 'node:fs';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { recordOperatorAction, type OperatorContext } from '../audit/operator';
import { platformExecute, platformSelect } from '../db/sql';
import { ConflictError, NotFoundError } from '../errors';
import { logger } from '../logger';
import { PlatformAuditEntry } from '../models';
import { exportTenant, type ExportPhase, type ExportTarget, type Manifest } from './export';
import { sha256OfFile } from './files';
import { PollingLoop } from '../worker/pollingLoop';

/**
 * The console's "Exportar dados" (docs/decisions/tenant-export.md): the operator's click queues a row
 * of platform.tenant_exports; a worker (`server/main.ts --worker`) claims it with a lease, exactly as
 * the outbox is delivered (`FOR UPDATE SKIP LOCKED`, any number of workers), writes the phase and
 * n/total as it goes and extends the lease while it works. The archive is written to `<file>.partial`
 * and renamed when complete; the row says `done` (and the file is offered) only after that. A worker
 * that dies leaves the lease to run out: the row is claimed again and exported again from the start
 * (one archive is one snapshot of the tables, so a half archive is never continued).
 */

export const PHASE_LABELS: Record<ExportPhase, string> = {
  tabelas: 'Tabelas',
  arquivos: 'Arquivos',
  processos: 'PDF dos processos',
  esquema: 'Esquema (pg_dump)',
};

export interface ExportJob {
  id: string;
  tenantId: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  phase: ExportPhase | null;
  done: number;
  total: number;
  attempts: number;
  sizeBytes: string | null;
  sha256: string | null;
  error: string | null;
  requestedByName: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Offered for download: finished and its file still on disk. */
  downloadable: boolean;
}

interface JobRow {
  id: string;
  tenant_id: string;
  status: ExportJob['status'];
  phase: ExportPhase | null;
  done: number;
  total: number;
  attempts: number;
  size_bytes: string | null;
  sha256: string | null;
  error: string | null;
  file_path: string | null;
  requested_by_name: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const JOB_COLUMNS = `e.id, e.tenant_id, e.status, e.phase, e.done, e.total, e.attempts, e.size_bytes, e.sha256, e.error, e.file_path,
  o.name AS requested_by_name, e.created_at, e.started_at, e.finished_at`;

function toJob(r: JobRow): ExportJob {
  return {
    id: String(r.id),
    tenantId: String(r.tenant_id),
    status: r.status,
    phase: r.phase,
    done: r.done,
    total: r.total,
    attempts: r.attempts,
    sizeBytes: r.size_bytes === null ? null : String(r.size_bytes),
    sha256: r.sha256,
    error: r.error,
    requestedByName: r.requested_by_name,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    downloadable: r.status === 'done' && r.file_path !== null && fs.existsSync(r.file_path),
  };
}

async function tenantOf(sequelize: Sequelize, tenantId: string): Promise<{ id: string; slug: string; name: string; status: string }> {
  if (!/^\d{1,18}$/.test(tenantId)) throw new NotFoundError('Ente não encontrado.');
  const [row] = await platformSelect<{ id: string; slug: string | null; name: string; status: string }>(
    sequelize,
    "SELECT id, slug, name, status FROM platform.tenants WHERE id = $1 AND status <> 'spare' AND slug IS NOT NULL AND schema_dropped_at IS NULL",
    [tenantId],
  );
  if (!row) throw new NotFoundError('Ente não encontrado.');
  return { id: String(row.id), slug: row.slug!, name: row.name, status: row.status };
}

/** The tenant and its exports, newest first (the console's "Exportar dados" page). */
export async function tenantExports(sequelize: Sequelize, tenantId: string): Promise<{ tenant: { id: string; slug: string; name: string; status: string }; jobs: ExportJob[] }> {
  const tenant = await tenantOf(sequelize, tenantId);
  const rows = await platformSelect<JobRow>(
    sequelize,
    `SELECT ${JOB_COLUMNS} FROM platform.tenant_exports e
       LEFT JOIN platform.operators o ON e.requested_by_type = 'operator' AND o.id = e.requested_by_id
      WHERE e.tenant_id = $1 ORDER BY e.id DESC LIMIT 50`,
    [tenant.id],
  );
  return { tenant, jobs: rows.map(toJob) };
}

/** Queues an export of the tenant; one already queued or running is refused (it is on the page). */
export async function requestExport(sequelize: Sequelize, tenantId: string, ctx: OperatorContext): Promise<string> {
  const tenant = await tenantOf(sequelize, tenantId);
  const [row] = await platformSelect<{ id: string }>(
    sequelize,
    `INSERT INTO platform.tenant_exports (tenant_id, status, requested_by_type, requested_by_id)
     VALUES ($1, 'queued', 'operator', $2) ON CONFLICT (tenant_id) WHERE status IN ('queued', 'running') DO NOTHING RETURNING id`,
    [tenant.id, ctx.operatorId],
  );
  if (!row) throw new ConflictError('Já há uma exportação deste ente em andamento: acompanhe-a abaixo.');
  await recordOperatorAction(ctx, 'tenant.export_requested', tenant.id, { slug: tenant.slug, exportId: String(row.id) });
  return String(row.id);
}

/** The finished archive of one export, for an operator; the download is audited. */
export async function exportDownload(sequelize: Sequelize, tenantId: string, exportId: string, ctx: OperatorContext): Promise<{ file: string; name: string; size: number }> {
  const tenant = await tenantOf(sequelize, tenantId);
  if (!/^\d{1,18}$/.test(exportId)) throw new NotFoundError('Exportação não encontrada.');
  const [row] = await platformSelect<{ file_path: string | null; sha256: string; finished_at: Date }>(
    sequelize,
    "SELECT file_path, sha256, finished_at FROM platform.tenant_exports WHERE id = $1 AND tenant_id = $2 AND status = 'done'",
    [exportId, tenant.id],
  );
  if (!row?.file_path || !fs.existsSync(row.file_path)) throw new NotFoundError('Exportação não encontrada ou ainda não concluída.');
  const size = (await fs.promises.stat(row.file_path)).size;
  await recordOperatorAction(ctx, 'tenant.export_downloaded', tenant.id, { slug: tenant.slug, exportId, sha256: row.sha256, size });
  return { file: row.file_path, name: `${tenant.slug}-${row.finished_at.toISOString().slice(0, 10)}-${exportId}.zip`, size };
}

interface ClaimedJob {
  id: string;
  tenant_id: string;
  slug: string;
  requested_by_type: 'operator' | 'system';
  requested_by_id: string | null;
  attempts: number;
}

export interface ExportWorkerOptions {
  /** Where the archives are kept (VAR_DIR/exports). */
  dir: string;
  /** Seconds a claim lasts without a heartbeat; the heartbeat renews it every third of that. */
  leaseSeconds?: number;
  /** A job that failed this many times is left failed. */
  maxAttempts?: number;
}

/** Runs queued exports, one at a time per worker. */
export class ExportWorker {
  private readonly loop = new PollingLoop(() => this.runDue(), 'erro no executor de exportações');

  constructor(
    private readonly target: ExportTarget,
    private readonly opts: ExportWorkerOptions,
  ) {}

  private get lease(): number {
    return this.opts.leaseSeconds ?? 60;
  }

  /** Claims one due job (queued, or running with its lease run out) and runs it; false when none. */
  async runDue(): Promise<boolean> {
    const { sequelize } = this.target;
    const [job] = await platformSelect<ClaimedJob>(
      sequelize,
      `UPDATE platform.tenant_exports e
          SET status = 'running', attempts = attempts + 1, locked_until = now() + make_interval(secs => $1),
              started_at = now(), phase = NULL, done = 0, total = 0, error = NULL, updated_at = now()
         FROM platform.tenants t
        WHERE t.id = e.tenant_id AND e.id = (
          SELECT id FROM platform.tenant_exports
           WHERE status = 'queued' OR (status = 'running' AND locked_until < now())
           ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING e.id, e.tenant_id, t.slug, e.requested_by_type, e.requested_by_id, e.attempts`,
      [this.lease],
    );
    if (!job) return false;
    await this.run(job);
    return true;
  }

  private async run(job: ClaimedJob): Promise<void> {
    const { sequelize } = this.target;
    await fs.promises.mkdir(this.opts.dir, { recursive: true });
    const file = path.join(this.opts.dir, `tenant-${job.tenant_id}-export-${job.id}.zip`);
    let progress: { phase: ExportPhase; done: number; total: number } | null = null;
    // One writer of the row while the export runs: the heartbeat writes the latest progress and renews the lease.
    let beat: Promise<void> = Promise.resolve();
    const heartbeat = (): void => {
      beat = beat.then(() =>
        platformExecute(
          sequelize,
          `UPDATE platform.tenant_exports SET locked_until = now() + make_interval(secs => $2), phase = coalesce($3, phase), done = $4, total = $5, updated_at = now()
            WHERE id = $1 AND status = 'running'`,
          [job.id, this.lease, progress?.phase ?? null, progress?.done ?? 0, progress?.total ?? 0],
        ).catch((err: unknown) => logger.warn({ err, exportId: job.id }, 'falha ao registrar o progresso da exportação')),
      );
    };
    const interval = setInterval(heartbeat, Math.max(250, Math.min(2000, (this.lease * 1000) / 3)));
    try {
      const manifest = await exportTenant(this.target, job.slug, file, (phase, done, total) => (progress = { phase, done, total }));
      clearInterval(interval);
      await beat;
      await this.finish(job, file, manifest);
      logger.info({ exportId: job.id, tenantId: job.tenant_id, file }, 'exportação concluída');
    } catch (err) {
      clearInterval(interval);
      await beat;
      const message = err instanceof Error ? err.message : String(err);
      const giveUp = job.attempts >= (this.opts.maxAttempts ?? 3);
      logger.error({ err, exportId: job.id, attempt: job.attempts }, 'falha na exportação');
      await platformExecute(
        sequelize,
        `UPDATE platform.tenant_exports SET status = $2, error = $3, locked_until = NULL, finished_at = CASE WHEN $2 = 'failed' THEN now() END, updated_at = now() WHERE id = $1`,
        [job.id, giveUp ? 'failed' : 'queued', message.slice(0, 2000)],
      );
    }
  }

  private async finish(job: ClaimedJob, file: string, manifest: Manifest): Promise<void> {
    const { sequelize } = this.target;
    const size = (await fs.promises.stat(file)).size;
    const sha256 = await sha256OfFile(file);
    await sequelize.transaction(async (t) => {
      await platformExecute(
        sequelize,
        `UPDATE platform.tenant_exports SET status = 'done', file_path = $2, size_bytes = $3, sha256 = $4, finished_at = now(), locked_until = NULL,
                phase = 'esquema', done = 1, total = 1, error = NULL, updated_at = now()
          WHERE id = $1`,
        [job.id, file, size, sha256],
        t,
      );
      await PlatformAuditEntry.create(
        {
          actorType: job.requested_by_type,
          actorId: job.requested_by_id === null ? null : String(job.requested_by_id),
          tenantId: String(job.tenant_id),
          action: 'tenant.exported',
          details: { exportId: String(job.id), file, size, sha256, tables: manifest.tables.length, files: manifest.files.length, processes: manifest.processes.length, pgDump: manifest.pgDump.file !== null },
          ip: null,
          requestId: null,
        },
        { transaction: t },
      );
    });
  }

  start(intervalMs = 2000): void {
    this.loop.start(intervalMs);
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
