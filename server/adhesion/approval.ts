import { recordOperatorAction, type OperatorContext } from '../audit/operator';
import { platformSelect } from '../db/sql';
import { ConflictError, DomainError, NotFoundError } from '../errors';
import { AdhesionEvent, AdhesionRequest, User, type AdhesionStatus } from '../models';
import { sendPasswordLink } from '../people/invitations';
import { inTenant } from '../tenancy/context';
import { tenantDefinitionSchema, type TenantDefinition } from '../tenancy/definition';
import { provisionTenant } from '../tenancy/provisioning';
import type { Services } from '../services';
import { statusMail } from './service';

/**
 * The MGI's decision on an adhesion request: approving it (the tenant is provisioned and the gestor
 * invited) or refusing it. The console's pages call these; so do the benchmarks.
 */

export type ApprovalServices = Pick<Services, 'sequelize' | 'registry' | 'config'>;

async function event(requestId: string, ctx: OperatorContext | null, action: string, details: Record<string, unknown> = {}): Promise<void> {
  await AdhesionEvent.create({
    requestId,
    actorType: ctx ? 'operator' : 'system',
    actorId: ctx?.operatorId ?? null,
    action,
    details,
  });
}

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
  { sequelize, registry, config }: ApprovalServices,
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
        await recordOperatorAction(ctx, 'adhesion.approved', tenant.id, { requestId: id, slug: tenant.slug, name: tenant.name });
      },
    });
    return { ok: true, slug: def.slug };
  } catch (err) {
    const error = err instanceof DomainError ? err.message : `Erro ao criar o ente: ${(err as Error).message}`;
    await sequelize.transaction(async () => {
      await AdhesionRequest.update({ status: 'provisioning_failed', provisioningError: error }, { where: { id, status: 'provisioning' } });
      await event(id, ctx, 'provisioning.failed', { error });
      await recordOperatorAction(ctx, 'adhesion.provisioning_failed', null, { requestId: id, error });
    });
    return { ok: false, error };
  }
}

export async function refuseRequest({ sequelize, config }: ApprovalServices, id: string, reason: string, ctx: OperatorContext): Promise<void> {
  await sequelize.transaction(async () => {
    const request = await AdhesionRequest.findByPk(id, { lock: true });
    if (!request) throw new NotFoundError('Pedido não encontrado.');
    if (!['submitted', 'provisioning_failed'].includes(request.status)) {
      throw new ConflictError('Nada foi feito: este pedido não está aguardando análise.');
    }
    await request.update({ status: 'refused', refusalReason: reason, decidedAt: new Date(), decidedBy: ctx.operatorId });
    await event(id, ctx, 'request.refused', { reason });
    await statusMail(config, request);
    await recordOperatorAction(ctx, 'adhesion.refused', null, { requestId: id, ente: request.enteName, reason });
  });
}
