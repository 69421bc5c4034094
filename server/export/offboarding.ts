import fs from 'node:fs';
import type { Sequelize } from 'sequelize';
import { platformExecute, platformSelect } from '../db/sql';
import { ConflictError, NotFoundError } from '../errors';
import { PlatformAuditEntry } from '../models';
import { schemaFor } from '../tenancy/context';
import type { TenantRegistry } from '../tenancy/registry';
import { tenantBySlug, type Manifest } from './export';

/** An export counts as recent for this long (docs/decisions/tenant-export.md). */
export const RECENT_EXPORT_DAYS = 7;
/** A closed tenant's data is kept this long before its schema may be dropped. */
export const RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;

export type Actor = { type: 'operator' | 'system'; id?: string | null };

/** Records a finished export (the CLI's, or the worker's job) and audits it. */
export async function recordExport(sequelize: Sequelize, tenantId: string, actor: Actor, file: string, manifest: Manifest, sha256: string): Promise<void> {
  const size = (await fs.promises.stat(file)).size;
  await sequelize.transaction(async (t) => {
    await platformExecute(
      sequelize,
      `INSERT INTO platform.tenant_exports (tenant_id, status, requested_by_type, requested_by_id, file_path, size_bytes, sha256, finished_at)
       VALUES ($1, 'done', $2, $3, $4, $5, $6, now())`,
      [tenantId, actor.type, actor.id ?? null, file, size, sha256],
      t,
    );
    await PlatformAuditEntry.create(
      {
        actorType: actor.type,
        actorId: actor.id ?? null,
        tenantId,
        action: 'tenant.exported',
        details: { file, size, sha256, tables: manifest.tables.length, files: manifest.files.length, processes: manifest.processes.length },
        ip: null,
        requestId: null,
      },
      { transaction: t },
    );
  });
}

/** When the tenant's latest finished export finished, or null. */
export async function latestExportAt(sequelize: Sequelize, tenantId: string): Promise<Date | null> {
  const [row] = await platformSelect<{ at: Date | null }>(
    sequelize,
    "SELECT max(finished_at) AS at FROM platform.tenant_exports WHERE tenant_id = $1 AND status = 'done'",
    [tenantId],
  );
  return row?.at ?? null;
}

interface Offboarded {
  id: string;
  status: string;
  closed_at: Date | null;
  schema_dropped_at: Date | null;
}

async function offboarded(sequelize: Sequelize, slug: string): Promise<Offboarded> {
  const tenant = await tenantBySlug(sequelize, slug);
  if (!tenant) throw new NotFoundError(`Ente "${slug}" não encontrado.`);
  const [row] = await platformSelect<Offboarded>(sequelize, 'SELECT id, status, closed_at, schema_dropped_at FROM platform.tenants WHERE id = $1', [tenant.id]);
  return { ...row, id: String(row.id) };
}

/**
 * Marks a tenant "encerrado": only with an export finished in the last RECENT_EXPORT_DAYS. From then
 * on its host answers the "encerrado" page (server/middleware/resolveSite.ts) and nothing is written.
 */
export async function closeTenant(sequelize: Sequelize, registry: TenantRegistry | undefined, slug: string, actor: Actor, now = new Date()): Promise<void> {
  const t = await offboarded(sequelize, slug);
  if (t.status === 'closed') throw new ConflictError('Este ente já está encerrado.');
  const last = await latestExportAt(sequelize, t.id);
  if (!last || now.getTime() - last.getTime() > RECENT_EXPORT_DAYS * DAY_MS) {
    throw new ConflictError(`Exporte os dados do ente antes de encerrá-lo: é preciso uma exportação concluída nos últimos ${RECENT_EXPORT_DAYS} dias.`);
  }
  await sequelize.transaction(async (tx) => {
    await platformExecute(sequelize, "UPDATE platform.tenants SET status = 'closed', closed_at = $2, status_reason = 'Encerrado', updated_at = now() WHERE id = $1", [t.id, now], tx);
    await PlatformAuditEntry.create(
      { actorType: actor.type, actorId: actor.id ?? null, tenantId: t.id, action: 'tenant.closed', details: { slug, lastExportAt: last.toISOString() }, ip: null, requestId: null },
      { transaction: tx },
    );
  });
  await registry?.announceChange();
}

/**
 * `tenants:drop`: drops the schema of a closed tenant once RETENTION_DAYS have passed since it was
 * closed, and only when an export finished at most RECENT_EXPORT_DAYS before it was closed (or after).
 * The registry row stays (status closed, schema_dropped_at), so the address is not given again.
 */
export async function dropTenantSchema(sequelize: Sequelize, slug: string, actor: Actor, now = new Date()): Promise<void> {
  const t = await offboarded(sequelize, slug);
  if (t.status !== 'closed' || !t.closed_at) throw new ConflictError('Só o esquema de um ente encerrado pode ser apagado.');
  const closedAt = t.closed_at;
  if (t.schema_dropped_at) throw new ConflictError('O esquema deste ente já foi apagado.');
  const last = await latestExportAt(sequelize, t.id);
  if (!last || closedAt.getTime() - last.getTime() > RECENT_EXPORT_DAYS * DAY_MS) {
    throw new ConflictError(`Não há exportação recente deste ente (concluída até ${RECENT_EXPORT_DAYS} dias antes do encerramento): exporte antes de apagar.`);
  }
  const until = new Date(closedAt.getTime() + RETENTION_DAYS * DAY_MS);
  if (now < until) throw new ConflictError(`Os dados ficam guardados por ${RETENTION_DAYS} dias após o encerramento: o esquema só pode ser apagado a partir de ${until.toISOString().slice(0, 10)}.`);
  await sequelize.transaction(async (tx) => {
    await platformExecute(sequelize, `DROP SCHEMA "${schemaFor(t.id)}" CASCADE`, [], tx);
    await platformExecute(sequelize, 'UPDATE platform.tenants SET schema_dropped_at = $2, updated_at = now() WHERE id = $1', [t.id, now], tx);
    await PlatformAuditEntry.create(
      { actorType: actor.type, actorId: actor.id ?? null, tenantId: t.id, action: 'tenant.schema_dropped', details: { slug, closedAt: closedAt.toISOString(), lastExportAt: last.toISOString() }, ip: null, requestId: null },
      { transaction: tx },
    );
  });
}
