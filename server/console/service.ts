import type { Sequelize } from 'sequelize';
import { platformExecute, platformSelect } from '../db/sql';
import { derivedArticle, type Article } from '../tenancy/grammar';
import { duplicateOf, statusMail } from '../adhesion/service';
import { isValidCnpj, isValidCpf } from '../adhesion/rules';
import { formatCnpj, formatCpf } from '../formatting';
import type { Config } from '../config';
import { ConflictError, DomainError, NotFoundError } from '../errors';
import { AdhesionEvent, AdhesionRequest, PlatformAuditEntry, User, type AdhesionStatus, type TenantKind } from '../models';
import { sendPasswordLink } from '../people/invitations';
import { inTenant } from '../tenancy/context';
import { tenantDefinitionSchema, type TenantDefinition } from '../tenancy/definition';
import { provisionTenant } from '../tenancy/provisioning';
import type { TenantRegistry } from '../tenancy/registry';

/** Who does something in the console, for the history and the platform audit log. */
export interface OperatorContext {
  operatorId: string;
  ip?: string | null;
  requestId?: string | null;
}

export interface ConsoleServices {
  sequelize: Sequelize;
  registry: TenantRegistry;
  config: Config;
}

/** The queue's tabs and the statuses each one shows. */
export const QUEUES = {
  analise: { label: 'Aguardando análise', statuses: ['submitted', 'provisioning', 'provisioning_failed'] },
  rascunho: { label: 'Rascunho', statuses: ['draft'] },
  aprovado: { label: 'Aprovado', statuses: ['approved'] },
  recusado: { label: 'Recusado', statuses: ['refused'] },
} as const satisfies Record<string, { label: string; statuses: AdhesionStatus[] }>;

export type QueueName = keyof typeof QUEUES;

async function audit(ctx: OperatorContext, action: string, tenantId: string | null, details: Record<string, unknown>): Promise<void> {
  await PlatformAuditEntry.create({
    actorType: 'operator',
    actorId: ctx.operatorId,
    tenantId,
    action,
    details,
    ip: ctx.ip ?? null,
    requestId: ctx.requestId ?? null,
  });
}

async function event(requestId: string, ctx: OperatorContext | null, action: string, details: Record<string, unknown> = {}): Promise<void> {
  await AdhesionEvent.create({
    requestId,
    actorType: ctx ? 'operator' : 'system',
    actorId: ctx?.operatorId ?? null,
    action,
    details,
  });
}

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
    id: String(request.id),
    status: request.status,
    enteName: request.enteName,
    ente: d.ente,
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
    submittedAt: request.submittedAt,
    decidedAt: request.decidedAt,
    decidedBy,
    refusalReason: request.refusalReason,
    provisioningError: request.provisioningError,
    tenantId: request.tenantId ? String(request.tenantId) : null,
    slug: request.slug,
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

/** The tenant an approved request becomes: its root unit and secretarias, the gestor as first administrator. */
export function definitionFrom(request: AdhesionRequest): TenantDefinition {
  const { ente, organ, manager, setup } = request.data;
  if (!ente || !organ || !manager || !setup) throw new ConflictError('O pedido está incompleto e não pode ser aprovado.');
  return tenantDefinitionSchema.parse({
    slug: setup.slug,
    name: organ.officialName,
    kind: ente.kind,
    uf: ente.uf,
    ibgeCode: ente.ibgeCode,
    numberingScheme: setup.numberingScheme,
    domains: [],
    root: {
      acronym: setup.rootAcronym,
      name: setup.rootName,
      protocolCode: setup.protocolCode || undefined,
      children: setup.units.map((u) => ({ acronym: u.acronym, name: u.name })),
    },
    users: [
      {
        name: manager.name,
        email: manager.email,
        cpf: manager.cpf,
        // The cargo given in the request is the first one the gestor signs under.
        positions: [manager.title],
        units: [
          { acronym: setup.rootAcronym, role: 'admin' },
          { acronym: setup.rootAcronym, role: 'basic' },
        ],
      },
    ],
  });
}

/**
 * Approves a request: claims it with one conditional UPDATE (so two operators approving at once
 * provision once), provisions the tenant — in whose transaction the request becomes 'approved' and
 * the gestor's invitation is written — or records the failure for a "tentar novamente".
 * A claim left in 'provisioning' by a crashed process can be taken again after 10 minutes.
 */
export async function approveRequest(
  { sequelize, registry, config }: ConsoleServices,
  id: string,
  ctx: OperatorContext,
): Promise<{ ok: true; slug: string } | { ok: false; error: string }> {
  const [claimed] = await platformSelect<{ id: string; status: AdhesionStatus }>(
    sequelize,
    `UPDATE platform.adhesion_requests SET status = 'provisioning', updated_at = now()
      WHERE id = $1 AND (status IN ('submitted', 'provisioning_failed')
                         OR (status = 'provisioning' AND updated_at < now() - interval '10 minutes'))
      RETURNING id`,
    [id],
  );
  if (!claimed) {
    const current = await AdhesionRequest.findByPk(id);
    if (!current) throw new NotFoundError('Pedido não encontrado.');
    const why: Partial<Record<AdhesionStatus, string>> = {
      provisioning: 'outro operador está aprovando este pedido agora',
      approved: 'este pedido já foi aprovado',
      refused: 'este pedido foi recusado',
      draft: 'este pedido ainda é um rascunho',
    };
    throw new ConflictError(`Nada foi feito: ${why[current.status as AdhesionStatus] ?? 'o pedido mudou de situação'}.`);
  }
  await event(id, ctx, 'approval.started');
  const request = (await AdhesionRequest.findByPk(id))!;
  try {
    const def = definitionFrom(request);
    await provisionTenant(sequelize, registry, def, {
      passwordHash: null,
      actor: { type: 'operator', id: ctx.operatorId },
      afterSeed: async (tenant) => {
        const manager = await inTenant(() => User.findOne({ where: { email: def.users[0].email } }));
        await sendPasswordLink(config, manager!, 'invite');
        await request.update({ status: 'approved', tenantId: tenant.id, decidedAt: new Date(), decidedBy: ctx.operatorId, provisioningError: null });
        await event(id, ctx, 'request.approved', { tenantId: tenant.id, slug: tenant.slug });
        await statusMail(config, request, tenant.slug);
        await audit(ctx, 'adhesion.approved', tenant.id, { requestId: id, slug: tenant.slug, name: tenant.name });
      },
    });
    return { ok: true, slug: def.slug };
  } catch (err) {
    const error = err instanceof DomainError ? err.message : `Erro ao criar o ente: ${(err as Error).message}`;
    await sequelize.transaction(async () => {
      await AdhesionRequest.update({ status: 'provisioning_failed', provisioningError: error }, { where: { id, status: 'provisioning' } });
      await event(id, ctx, 'provisioning.failed', { error });
      await audit(ctx, 'adhesion.provisioning_failed', null, { requestId: id, error });
    });
    return { ok: false, error };
  }
}

export async function refuseRequest({ sequelize, config }: ConsoleServices, id: string, reason: string, ctx: OperatorContext): Promise<void> {
  await sequelize.transaction(async () => {
    const request = await AdhesionRequest.findByPk(id, { lock: true });
    if (!request) throw new NotFoundError('Pedido não encontrado.');
    if (!['submitted', 'provisioning_failed'].includes(request.status)) {
      throw new ConflictError('Nada foi feito: este pedido não está aguardando análise.');
    }
    await request.update({ status: 'refused', refusalReason: reason, decidedAt: new Date(), decidedBy: ctx.operatorId });
    await event(id, ctx, 'request.refused', { reason });
    await statusMail(config, request);
    await audit(ctx, 'adhesion.refused', null, { requestId: id, ente: request.enteName, reason });
  });
}

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
    await audit(ctx, status === 'active' ? 'tenant.reactivated' : 'tenant.suspended', tenantId, { slug: row.slug, reason });
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
    await audit(ctx, 'tenant.article_set', tenantId, { slug: row.slug, article });
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

