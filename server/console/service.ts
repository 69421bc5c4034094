import type { Sequelize } from 'sequelize';
import { isValidCnpj, isValidCpf } from '../brazil/documents';
import { recordOperatorAction, type OperatorContext } from '../audit/operator';
import { duplicateOf, summaryOf } from '../adhesion/service';
import { platformExecute, platformSelect } from '../db/sql';
import { ConflictError, NotFoundError } from '../errors';
import { formatCnpj, formatCpf } from '../formatting';
import { AdhesionRequest, type AdhesionStatus, type TenantKind } from '../models';
import type { Services } from '../services';
import { derivedArticle, type Article } from '../tenancy/grammar';

/** The operators' pages of the console; approving and refusing adhesion lives in server/adhesion/approval.ts. */
export type ConsoleServices = Pick<Services, 'sequelize' | 'registry'>;

/** The queue's tabs and the statuses each one shows. */
export const QUEUES = {
  analise: { label: 'Aguardando análise', statuses: ['submitted', 'provisioning', 'provisioning_failed'] },
  rascunho: { label: 'Rascunho', statuses: ['draft'] },
  aprovado: { label: 'Aprovado', statuses: ['approved'] },
  recusado: { label: 'Recusado', statuses: ['refused'] },
} as const satisfies Record<string, { label: string; statuses: AdhesionStatus[] }>;

export type QueueName = keyof typeof QUEUES;

export interface QueueFilter {
  queue: QueueName;
  uf?: string;
  kind?: TenantKind;
  q?: string;
}

export interface QueueRow {
  id: string;
  status: AdhesionStatus;
  enteName: string | null;
  officialName: string | null;
  cnpj: string | null;
  kind: TenantKind | null;
  uf: string | null;
  managerName: string | null;
  createdAt: Date;
  submittedAt: Date | null;
}

/** Requests of one tab, newest first, filtered by UF and kind, searched by name or CNPJ (accents ignored). */
export async function listRequests(sequelize: Sequelize, f: QueueFilter): Promise<{ rows: QueueRow[]; counts: Record<QueueName, number> }> {
  const q = (f.q ?? '').trim();
  const rows = await platformSelect<QueueRow>(
    sequelize,
    `SELECT id, status, ente_name AS "enteName", official_name AS "officialName", cnpj, kind, uf,
            manager_name AS "managerName", created_at AS "createdAt", submitted_at AS "submittedAt"
       FROM platform.adhesion_requests
      WHERE status = ANY($1)
        AND ($2 = '' OR uf = $2)
        AND ($3 = '' OR kind = $3)
        AND ($4 = '' OR extensions.immutable_unaccent(lower(coalesce(ente_name, '') || ' ' || coalesce(official_name, '')))
                        LIKE '%' || extensions.immutable_unaccent(lower($4)) || '%'
                    OR ($5 <> '' AND cnpj LIKE $5 || '%'))
      ORDER BY coalesce(submitted_at, created_at) DESC, id DESC
      LIMIT 200`,
    [QUEUES[f.queue].statuses, f.uf ?? '', f.kind ?? '', q, q.replace(/[\s./-]/g, '').toUpperCase()],
  );
  const countRows = await platformSelect<{ status: AdhesionStatus; n: string }>(
    sequelize,
    'SELECT status, count(*) AS n FROM platform.adhesion_requests GROUP BY status',
  );
  const counts = Object.fromEntries(
    Object.entries(QUEUES).map(([name, def]) => [
      name,
      countRows.filter((c) => (def.statuses as readonly string[]).includes(c.status)).reduce((s, c) => s + Number(c.n), 0),
    ]),
  ) as Record<QueueName, number>;
  return { rows: rows.map((r) => ({ ...r, id: String(r.id), cnpj: r.cnpj ? formatCnpj(r.cnpj) : null })), counts };
}

/** Everything an operator needs to decide: the data, what was checked, duplicates, the history. */
export async function requestDetail(sequelize: Sequelize, id: string) {
  if (!/^\d{1,18}$/.test(id)) throw new NotFoundError('Pedido não encontrado.');
  const request = await AdhesionRequest.findByPk(id);
  if (!request) throw new NotFoundError('Pedido não encontrado.');
  const d = request.data;
  const duplicates: string[] = [];
  if (d.ente) {
    const dup = await duplicateOf(sequelize, d.ente, String(request.id), request.tenantId ? String(request.tenantId) : null);
    if (dup) duplicates.push(dup);
  }
  if (request.cnpj) {
    const same = await platformSelect<{ id: string; ente_name: string; status: string }>(
      sequelize,
      `SELECT id, ente_name, status FROM platform.adhesion_requests WHERE cnpj = $1 AND id <> $2 AND status <> 'draft' ORDER BY id`,
      [request.cnpj, request.id],
    );
    for (const s of same) duplicates.push(`O pedido nº ${s.id} (${s.ente_name}) usa o mesmo CNPJ.`);
  }
  const history = await platformSelect<{ action: string; actor_type: string; operator: string | null; details: Record<string, unknown>; created_at: Date }>(
    sequelize,
    `SELECT e.action, e.actor_type, o.name AS operator, e.details, e.created_at
       FROM platform.adhesion_events e LEFT JOIN platform.operators o ON o.id = e.actor_id AND e.actor_type = 'operator'
      WHERE e.request_id = $1 ORDER BY e.id`,
    [request.id],
  );
  const decidedBy = request.decidedBy
    ? ((await platformSelect<{ name: string }>(sequelize, 'SELECT name FROM platform.operators WHERE id = $1', [request.decidedBy]))[0]?.name ?? null)
    : null;
  return {
    ...summaryOf(request),
    organ: d.organ ? { ...d.organ, cnpjFormatted: formatCnpj(d.organ.cnpj) } : null,
    manager: d.manager ? { ...d.manager, cpfFormatted: formatCpf(d.manager.cpf) } : null,
    setup: d.setup ?? null,
    agreement: d.agreement ?? null,
    checks: {
      cnpj: d.organ ? isValidCnpj(d.organ.cnpj) : false,
      cpf: d.manager ? isValidCpf(d.manager.cpf) : false,
      emailConfirmed: Boolean(request.emailConfirmedAt),
      duplicates,
    },
    createdAt: request.createdAt,
    decidedBy,
    provisioningError: request.provisioningError,
    tenantId: request.tenantId ? String(request.tenantId) : null,
    canDecide: request.status === 'submitted',
    canRetry: request.status === 'provisioning_failed',
    history: history.map((h) => ({
      ...h,
      label: h.action === 'step.saved' ? `Etapa ${String(h.details.step)} salva` : (HISTORY_LABELS[h.action] ?? h.action),
    })),
  };
}

const HISTORY_LABELS: Record<string, string> = {
  'draft.created': 'Rascunho criado',
  'email.confirmation_sent': 'Link de confirmação de e-mail enviado',
  'email.confirmed': 'E-mail confirmado',
  'resume_link.sent': 'Link para continuar depois enviado',
  'agreement.accepted': 'Termo de adesão aceito',
  'request.submitted': 'Pedido enviado ao MGI',
  'approval.started': 'Aprovação iniciada (criando o ente)',
  'request.approved': 'Pedido aprovado e ente criado',
  'provisioning.failed': 'Falha ao criar o ente',
  'request.refused': 'Pedido recusado',
};

export interface TenantRow {
  id: string;
  slug: string;
  name: string;
  kind: TenantKind;
  uf: string;
  status: 'active' | 'suspended';
  statusReason: string | null;
  /** When it went into service (its provisioning). */
  openedAt: Date;
  /** When its schema was built, when that was before it went into service (a spare prepared ahead): diagnostics only. */
  schemaCreatedAt: Date | null;
  /** The article its texts use: the one set by an operator, or the derived one. */
  article: Article;
  approvedAt: Date | null;
  approvedBy: string | null;
  requestId: string | null;
}

export async function listTenants(sequelize: Sequelize, f: { q?: string; status?: string }): Promise<TenantRow[]> {
  const rows = await platformSelect<TenantRow>(
    sequelize,
    `SELECT t.id, t.slug, t.name, t.kind, t.uf, t.status, t.status_reason AS "statusReason", t.article,
            coalesce(t.opened_at, t.created_at) AS "openedAt",
            CASE WHEN t.opened_at - t.created_at > interval '1 minute' THEN t.created_at END AS "schemaCreatedAt",
            r.decided_at AS "approvedAt", o.name AS "approvedBy", r.id AS "requestId"
       FROM platform.tenants t
       LEFT JOIN platform.adhesion_requests r ON r.tenant_id = t.id AND r.status = 'approved'
       LEFT JOIN platform.operators o ON o.id = r.decided_by
      WHERE t.status <> 'spare' AND ($1 = '' OR t.status = $1)
        AND ($2 = '' OR extensions.immutable_unaccent(lower(t.name || ' ' || t.slug)) LIKE '%' || extensions.immutable_unaccent(lower($2)) || '%')
      ORDER BY coalesce(t.opened_at, t.created_at) DESC, t.id DESC
      LIMIT 500`,
    [f.status ?? '', (f.q ?? '').trim()],
  );
  return rows.map((r) => ({ ...r, id: String(r.id), requestId: r.requestId ? String(r.requestId) : null, article: r.article ?? derivedArticle(r.kind, r.name) }));
}

/** Suspends or reactivates a tenant; its host follows at once (registry change announced to every process). */
export async function setTenantStatus(
  { sequelize, registry }: ConsoleServices,
  tenantId: string,
  status: 'active' | 'suspended',
  reason: string,
  ctx: OperatorContext,
): Promise<void> {
  if (!/^\d{1,18}$/.test(tenantId)) throw new NotFoundError('Ente não encontrado.');
  await sequelize.transaction(async (t) => {
    const [row] = await platformSelect<{ status: string; slug: string }>(
      sequelize,
      'SELECT status, slug FROM platform.tenants WHERE id = $1 FOR UPDATE',
      [tenantId],
      t,
    );
    if (!row || row.status === 'spare') throw new NotFoundError('Ente não encontrado.');
    if (row.status === status) throw new ConflictError(status === 'active' ? 'O ente já está ativo.' : 'O ente já está suspenso.');
    await platformExecute(
      sequelize,
      'UPDATE platform.tenants SET status = $2, status_reason = $3, updated_at = now() WHERE id = $1',
      [tenantId, status, reason],
      t,
    );
    await recordOperatorAction(ctx, status === 'active' ? 'tenant.reactivated' : 'tenant.suspended', tenantId, { slug: row.slug, reason });
  });
  await registry.announceChange();
}

/** Sets the article of a tenant's name ("a Prefeitura…", "o Governo…"), as its texts write it. */
export async function setTenantArticle({ sequelize, registry }: ConsoleServices, tenantId: string, article: Article, ctx: OperatorContext): Promise<void> {
  if (!/^\d{1,18}$/.test(tenantId)) throw new NotFoundError('Ente não encontrado.');
  await sequelize.transaction(async (t) => {
    const [row] = await platformSelect<{ slug: string }>(
      sequelize,
      "UPDATE platform.tenants SET article = $2, updated_at = now() WHERE id = $1 AND status <> 'spare' RETURNING slug",
      [tenantId, article],
      t,
    );
    if (!row) throw new NotFoundError('Ente não encontrado.');
    await recordOperatorAction(ctx, 'tenant.article_set', tenantId, { slug: row.slug, article });
  });
  await registry.announceChange();
}

export interface AuditRow {
  id: string;
  createdAt: Date;
  actorType: string;
  actor: string | null;
  action: string;
  tenant: string | null;
  details: Record<string, unknown>;
  ip: string | null;
}

export async function auditLog(sequelize: Sequelize, f: { action?: string }): Promise<AuditRow[]> {
  const rows = await platformSelect<AuditRow>(
    sequelize,
    `SELECT a.id, a.created_at AS "createdAt", a.actor_type AS "actorType", o.name AS actor, a.action,
            t.name AS tenant, a.details, a.ip
       FROM platform.audit_log a
       LEFT JOIN platform.operators o ON a.actor_type = 'operator' AND o.id::text = a.actor_id
       LEFT JOIN platform.tenants t ON t.id = a.tenant_id
      WHERE ($1 = '' OR a.action LIKE $1 || '%')
      ORDER BY a.id DESC
      LIMIT 200`,
    [f.action ?? ''],
  );
  return rows.map((r) => ({ ...r, id: String(r.id) }));
}

