import { Op } from 'sequelize';
import { ConflictError, NotFoundError, PermissionDeniedError, ValidationError } from '../errors';
import {
  AccessCredential,
  LegalBasis,
  Party,
  Process,
  ProcessParty,
  ProcessRelation,
  ProcessType,
  ProcessUnit,
  TenantAuditEntry,
  User,
  UserUnit,
  type AccessLevel,
} from '../models';
import { inTenant } from '../tenancy/context';
import { decideAccess, accessFacts, type Viewer } from './access';
import { setProcessParties, validateProcessFields, type ProcessFields } from './create';
import { recordEvent } from './events';
import { annexRefusal } from './rules';
import { loadForAction, hasCredential } from './state';

/** Concluir: closes the process in the current unit (it stays open wherever else it is). */
export async function concludeProcess(id: string, viewer: Viewer): Promise<void> {
  await inTenant(async (t) => {
    const { process } = await loadForAction(t, id, viewer, 'conclude');
    await ProcessUnit.update(
      { open: false, unread: false, concludedAt: new Date(), concludedById: viewer.userId, assignedUserId: null },
      { where: { processId: process.id, unitId: viewer.unitId }, transaction: t },
    );
    await recordEvent(t, String(process.id), viewer, { kind: 'concluded', description: 'Processo concluído na unidade' });
  });
}

/** Reabrir: opens the process again in a unit it has passed through. */
export async function reopenProcess(id: string, viewer: Viewer): Promise<void> {
  await inTenant(async (t) => {
    const { process } = await loadForAction(t, id, viewer, 'reopen');
    await ProcessUnit.update(
      { open: true, unread: false, concludedAt: null, concludedById: null, arrivedAt: new Date() },
      { where: { processId: process.id, unitId: viewer.unitId }, transaction: t },
    );
    await recordEvent(t, String(process.id), viewer, { kind: 'reopened', description: 'Processo reaberto na unidade' });
  });
}

/** Atribuir to one user of the current unit, or remove the assignment (`userId` null). */
export async function assignProcess(id: string, viewer: Viewer, userId: string | null): Promise<void> {
  await inTenant(async (t) => {
    const { process } = await loadForAction(t, id, viewer, 'assign');
    let description = 'Atribuição do processo removida';
    if (userId) {
      const member = /^[0-9]+$/.test(userId)
        ? await UserUnit.findOne({ where: { userId, unitId: viewer.unitId }, include: [{ model: User, as: 'user', where: { active: true } }], transaction: t })
        : null;
      if (!member) throw new ValidationError('Corrija os campos indicados.', { assignee: 'Escolha um usuário ativo da unidade atual.' });
      description = `Processo atribuído a ${(member as UserUnit & { user: User }).user.name}`;
    }
    await ProcessUnit.update({ assignedUserId: userId }, { where: { processId: process.id, unitId: viewer.unitId }, transaction: t });
    await recordEvent(t, String(process.id), viewer, { kind: 'assigned', description, summary: false, details: { userId } });
  });
}

/** Sobrestar (only if open only here), with a reason. */
export async function suspendProcess(id: string, viewer: Viewer, reason: string): Promise<void> {
  const text = reason.trim();
  if (!text) throw new ValidationError('Corrija os campos indicados.', { reason: 'Informe o motivo do sobrestamento.' });
  if (text.length > 500) throw new ValidationError('Corrija os campos indicados.', { reason: 'O motivo tem no máximo 500 caracteres.' });
  await inTenant(async (t) => {
    const { process } = await loadForAction(t, id, viewer, 'suspend');
    await process.update({ suspendedAt: new Date(), suspendedReason: text, suspendedById: viewer.userId, suspendedUnitId: viewer.unitId }, { transaction: t });
    await recordEvent(t, String(process.id), viewer, { kind: 'suspended', description: `Processo sobrestado. Motivo: ${text}` });
  });
}

export async function resumeProcess(id: string, viewer: Viewer): Promise<void> {
  await inTenant(async (t) => {
    const { process } = await loadForAction(t, id, viewer, 'resume');
    await process.update({ suspendedAt: null, suspendedReason: null, suspendedById: null, suspendedUnitId: null }, { transaction: t });
    await recordEvent(t, String(process.id), viewer, { kind: 'resumed', description: 'Sobrestamento removido' });
  });
}

/** Finds another process by its number, as the viewer may find it (sigilosos without credential are "not found"). */
async function findByNumber(t: Parameters<typeof recordEvent>[0], number: string, viewer: Viewer): Promise<Process> {
  const digits = number.replace(/[^0-9]/g, '');
  const other = digits ? await Process.findOne({ where: { numberDigits: digits }, transaction: t }) : null;
  if (!other || !decideAccess(await accessFacts(t, other, viewer)).canFind) {
    throw new ValidationError('Corrija os campos indicados.', { number: 'Nenhum processo encontrado com este número.' });
  }
  return other;
}

/** Relacionar: a symmetric link, shown on both processes. */
export async function relateProcess(id: string, viewer: Viewer, number: string): Promise<void> {
  await inTenant(async (t) => {
    const { process } = await loadForAction(t, id, viewer, 'relate');
    const other = await findByNumber(t, number, viewer);
    if (String(other.id) === String(process.id)) throw new ValidationError('Corrija os campos indicados.', { number: 'Um processo não pode ser relacionado a si mesmo.' });
    const [a, b] = BigInt(process.id) < BigInt(other.id) ? [process, other] : [other, process];
    const existing = await ProcessRelation.findOne({ where: { processId: a.id, relatedProcessId: b.id }, transaction: t });
    if (existing) throw new ValidationError('Corrija os campos indicados.', { number: 'Os processos já estão relacionados.' });
    await ProcessRelation.create({ processId: String(a.id), relatedProcessId: String(b.id), createdById: viewer.userId }, { transaction: t });
    await recordEvent(t, String(process.id), viewer, { kind: 'related', description: `Relacionado ao processo ${other.number}`, summary: false });
    await recordEvent(t, String(other.id), viewer, { kind: 'related', description: `Relacionado ao processo ${process.number}`, summary: false });
  });
}

export async function unrelateProcess(id: string, viewer: Viewer, otherId: string): Promise<void> {
  await inTenant(async (t) => {
    const { process } = await loadForAction(t, id, viewer, 'relate');
    if (!/^[0-9]+$/.test(otherId)) throw new NotFoundError('Relacionamento não encontrado.');
    const [a, b] = BigInt(process.id) < BigInt(otherId) ? [String(process.id), otherId] : [otherId, String(process.id)];
    const relation = await ProcessRelation.findOne({ where: { processId: a, relatedProcessId: b }, transaction: t });
    if (!relation) throw new NotFoundError('Relacionamento não encontrado.');
    const other = await Process.findByPk(otherId, { transaction: t });
    await relation.destroy({ transaction: t });
    await recordEvent(t, String(process.id), viewer, { kind: 'unrelated', description: `Removido o relacionamento com o processo ${other?.number ?? otherId}`, summary: false });
    if (other) await recordEvent(t, otherId, viewer, { kind: 'unrelated', description: `Removido o relacionamento com o processo ${process.number}`, summary: false });
  });
}

/**
 * Anexar: permanently merges the newer process `number` into this (older) one. The child is closed
 * in every unit and from then on is read inside its parent.
 */
export async function annexProcess(id: string, viewer: Viewer, number: string): Promise<void> {
  await inTenant(async (t) => {
    const { process: parent } = await loadForAction(t, id, viewer, 'annex');
    const found = await findByNumber(t, number, viewer);
    const child = await found.reload({ transaction: t, lock: t.LOCK.UPDATE });
    const [openUnits, childAnnexes] = await Promise.all([
      ProcessUnit.findAll({ where: { processId: child.id, open: true }, attributes: ['unitId'], transaction: t }),
      Process.count({ where: { annexedToId: child.id }, transaction: t }),
    ]);
    const refusal = annexRefusal({
      parentId: String(parent.id),
      parentCreatedAt: parent.createdAt,
      childId: String(child.id),
      childCreatedAt: child.createdAt,
      childAccessLevel: child.accessLevel,
      childAnnexed: Boolean(child.annexedToId),
      childOpenUnitIds: openUnits.map((u) => String(u.unitId)),
      currentUnitId: String(viewer.unitId),
      childHasAnnexes: childAnnexes > 0,
    });
    if (refusal) throw new ValidationError('Corrija os campos indicados.', { number: refusal });
    await child.update({ annexedToId: String(parent.id), annexedAt: new Date() }, { transaction: t });
    await ProcessUnit.update(
      { open: false, concludedAt: new Date(), concludedById: viewer.userId, assignedUserId: null },
      { where: { processId: child.id, open: true }, transaction: t },
    );
    await recordEvent(t, String(parent.id), viewer, { kind: 'annexed', description: `Anexado o processo ${child.number}` });
    await recordEvent(t, String(child.id), viewer, { kind: 'annexed_to', description: `Processo anexado ao processo ${parent.number}` });
  });
}

export type AlterInput = ProcessFields;

const LEVEL: Record<AccessLevel, string> = { public: 'público', restricted: 'restrito', secret: 'sigiloso' };

/** Alterar type, especificação, interessados and access level while open here; the history says what changed. */
export async function alterProcess(id: string, viewer: Viewer, input: AlterInput): Promise<void> {
  await inTenant(async (t) => {
    const { process, state } = await loadForAction(t, id, viewer, 'alter');
    const valid = await validateProcessFields(t, input);
    const changes: string[] = [];
    const before = {
      processTypeId: String(process.processTypeId),
      specification: process.specification,
      accessLevel: process.accessLevel,
      legalBasisId: process.legalBasisId ? String(process.legalBasisId) : null,
      secrecyGrade: process.secrecyGrade,
    };
    if (before.processTypeId !== String(valid.type.id)) {
      const old = await ProcessType.findByPk(before.processTypeId, { transaction: t });
      changes.push(`tipo de "${old?.name ?? ''}" para "${valid.type.name}"`);
    }
    if (before.specification !== valid.specification) changes.push(`especificação de "${before.specification}" para "${valid.specification}"`);
    if (before.accessLevel !== valid.accessLevel) changes.push(`nível de acesso de ${LEVEL[before.accessLevel]} para ${LEVEL[valid.accessLevel]}`);
    else if (before.legalBasisId !== valid.legalBasisId) {
      const basis = valid.legalBasisId ? await LegalBasis.findByPk(valid.legalBasisId, { transaction: t }) : null;
      changes.push(`hipótese legal para "${basis?.name ?? 'nenhuma'}"`);
    }
    if (before.secrecyGrade !== valid.secrecyGrade && valid.secrecyGrade && before.accessLevel === valid.accessLevel) changes.push(`grau de sigilo para ${valid.secrecyGrade}`);
    const oldParties = await ProcessParty.findAll({ where: { processId: process.id }, include: [{ model: Party, as: 'party' }], order: [['position', 'ASC']], transaction: t });
    const oldKeys = oldParties.map((pp) => {
      const p = (pp as ProcessParty & { party: Party }).party;
      return `${p.name}|${p.document ?? ''}`;
    });
    const newKeys = valid.parties.map((p) => `${p.name}|${p.document ?? ''}`);
    const partiesChanged = oldKeys.join('\n') !== newKeys.join('\n');
    if (partiesChanged) changes.push(`interessados para ${valid.parties.map((p) => p.name).join('; ')}`);
    if (!changes.length) return;
    if (valid.accessLevel === 'secret' && before.accessLevel !== 'secret' && state.openUnitCount > 1) {
      throw new ValidationError('Corrija os campos indicados.', { accessLevel: 'Só é possível tornar sigiloso um processo aberto apenas na unidade atual.' });
    }
    await process.update(
      {
        processTypeId: String(valid.type.id),
        specification: valid.specification,
        accessLevel: valid.accessLevel,
        legalBasisId: valid.legalBasisId,
        secrecyGrade: valid.secrecyGrade,
      },
      { transaction: t },
    );
    if (partiesChanged) await setProcessParties(t, String(process.id), valid.parties);
    if (valid.accessLevel === 'secret' && !(await hasCredential(t, String(process.id), viewer.userId))) {
      await AccessCredential.create({ processId: String(process.id), userId: viewer.userId, grantedById: viewer.userId }, { transaction: t });
    }
    await recordEvent(t, String(process.id), viewer, { kind: 'altered', description: `Processo alterado: ${changes.join('; ')}`, details: { before } });
  });
}

/** Concede credencial de acesso (sigiloso) to an active user of the tenant, by e-mail. */
export async function grantCredential(id: string, viewer: Viewer, email: string, ip: string | null): Promise<void> {
  await inTenant(async (t) => {
    const { process } = await loadForAction(t, id, viewer, 'grantCredential');
    const user = await User.findOne({ where: { email: email.trim().toLowerCase(), active: true }, transaction: t });
    if (!user) throw new ValidationError('Corrija os campos indicados.', { email: 'Nenhum usuário ativo com este e-mail.' });
    if (await hasCredential(t, String(process.id), String(user.id))) {
      throw new ValidationError('Corrija os campos indicados.', { email: 'Este usuário já tem credencial de acesso.' });
    }
    await AccessCredential.create({ processId: String(process.id), userId: String(user.id), grantedById: viewer.userId }, { transaction: t });
    await recordEvent(t, String(process.id), viewer, { kind: 'credential_granted', description: `Credencial de acesso concedida a ${user.name}`, summary: false });
    await TenantAuditEntry.create(
      { userId: viewer.userId, action: 'process.credential_granted', entity: 'process', entityId: String(process.id), before: null, after: { userId: String(user.id) }, ip, requestId: null },
      { transaction: t },
    );
  });
}

export async function revokeCredential(id: string, viewer: Viewer, credentialId: string, ip: string | null): Promise<void> {
  await inTenant(async (t) => {
    const { process } = await loadForAction(t, id, viewer, 'revokeCredential');
    const credential = /^[0-9]+$/.test(credentialId)
      ? await AccessCredential.findOne({ where: { id: credentialId, processId: process.id, revokedAt: null }, transaction: t })
      : null;
    if (!credential) throw new NotFoundError('Credencial não encontrada.');
    if (String(credential.userId) === String(viewer.userId)) throw new PermissionDeniedError('Você não pode cassar a sua própria credencial.');
    const remaining = await AccessCredential.count({ where: { processId: process.id, revokedAt: null, id: { [Op.ne]: credential.id } }, transaction: t });
    if (remaining === 0) throw new ConflictError('O processo precisa de ao menos uma credencial ativa.');
    await credential.update({ revokedAt: new Date(), revokedById: viewer.userId }, { transaction: t });
    const user = await User.findByPk(credential.userId, { transaction: t });
    await recordEvent(t, String(process.id), viewer, { kind: 'credential_revoked', description: `Credencial de acesso cassada de ${user?.name ?? ''}`, summary: false });
    await TenantAuditEntry.create(
      { userId: viewer.userId, action: 'process.credential_revoked', entity: 'process', entityId: String(process.id), before: { userId: String(credential.userId) }, after: null, ip, requestId: null },
      { transaction: t },
    );
  });
}
