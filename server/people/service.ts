import { Op, type Transaction } from 'sequelize';
import { recordChange, snapshot, type Actor } from '../audit/record';
import type { Config } from '../config';
import { select, sqlFilter, whereClause } from '../db/sql';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { Unit, User, UserPosition, UserUnit, type Role } from '../models';
import { inTenant } from '../tenancy/context';
import { sendPasswordLink } from './invitations';
import { endSessionsOf, staleMembershipsOf } from './sessions';

/** The people of a tenant as its administrators see them: invitations, roles per unit, titles. */

export interface UserFilters {
  q?: string;
  unitId?: string;
  role?: Role;
  active?: 'true' | 'false' | 'all';
  page?: number;
}

export interface UserListRow {
  id: string;
  name: string;
  email: string;
  active: boolean;
  invited: boolean;
  memberships: { acronym: string; role: Role }[];
}

export const PAGE_SIZE = 50;

/**
 * The users that are integration keys' identities (server/api/keys.ts) are not people: they are
 * listed, changed and revoked in Integrações only. Reactivating one, or giving it a CPF or a role,
 * would let someone log in as the key.
 */
const NOT_A_KEY = 'NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.user_id = u.id)';

async function isKeyUser(id: string, t: Transaction): Promise<boolean> {
  const rows = await select(t, 'SELECT 1 FROM api_keys WHERE user_id = $1', [id]);
  return rows.length > 0;
}

export async function listUsers(f: UserFilters): Promise<{ rows: UserListRow[]; total: number }> {
  const { where, bind, arg } = sqlFilter();
  if (f.q) {
    const like = arg(`%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const digits = f.q.replace(/\D/g, '');
    where.push(`(u.name ILIKE ${like} OR u.email ILIKE ${like}${digits.length >= 3 ? ` OR u.cpf LIKE ${arg(`${digits}%`)}` : ''})`);
  }
  if (f.unitId || f.role) {
    const cond = [f.unitId ? `m.unit_id = ${arg(f.unitId)}` : '', f.role ? `m.role = ${arg(f.role)}` : ''].filter(Boolean).join(' AND ');
    where.push(`EXISTS (SELECT 1 FROM user_units m WHERE m.user_id = u.id AND ${cond})`);
  }
  if (f.active !== 'all') where.push(`u.active = ${arg(f.active !== 'false')}`);
  where.push(NOT_A_KEY);
  const filter = whereClause(where);
  const page = Math.max(1, f.page ?? 1);
  return inTenant(async (t) => {
    const [{ total }] = await select<{ total: number }>(t, `SELECT count(*)::int AS total FROM users u ${filter}`, bind);
    const rows = await select<UserListRow>(
      t,
      `SELECT u.id::text AS id, u.name, u.email, u.active, (u.password_hash IS NULL) AS invited,
              COALESCE((SELECT json_agg(json_build_object('acronym', un.acronym, 'role', m.role) ORDER BY un.acronym, m.role)
                          FROM user_units m JOIN units un ON un.id = m.unit_id WHERE m.user_id = u.id), '[]') AS memberships
         FROM users u ${filter}
        ORDER BY u.name, u.id LIMIT ${PAGE_SIZE} OFFSET ${(page - 1) * PAGE_SIZE}`,
      bind,
    );
    return { rows, total };
  });
}

export interface UserDetail {
  id: string;
  name: string;
  email: string;
  cpf: string | null;
  active: boolean;
  invited: boolean;
  memberships: { id: string; unitId: string; acronym: string; unitName: string; role: Role; unitActive: boolean }[];
  positions: { id: string; title: string; active: boolean }[];
}

export async function userDetail(id: string): Promise<UserDetail> {
  return inTenant(async (t) => {
    const user = /^\d{1,18}$/.test(id) ? await User.findByPk(id, { transaction: t }) : null;
    if (!user || (await isKeyUser(id, t))) throw new NotFoundError('Usuário não encontrado.');
    const memberships = await UserUnit.findAll({ where: { userId: id }, include: [{ model: Unit, as: 'unit' }], transaction: t });
    const positions = await UserPosition.findAll({ where: { userId: id }, order: [['active', 'DESC'], ['title', 'ASC']], transaction: t });
    return {
      id: String(user.id),
      name: user.name,
      email: user.email,
      cpf: user.cpf,
      active: user.active,
      invited: user.passwordHash === null,
      memberships: memberships
        .map((m) => {
          const unit = (m as UserUnit & { unit: Unit }).unit;
          return { id: String(m.id), unitId: String(unit.id), acronym: unit.acronym, unitName: unit.name, role: m.role, unitActive: unit.active };
        })
        .sort((a, b) => a.acronym.localeCompare(b.acronym) || a.role.localeCompare(b.role)),
      positions: positions.map((p) => ({ id: String(p.id), title: p.title, active: p.active })),
    };
  });
}

async function lockedUser(id: string, t: Transaction): Promise<User> {
  const user = /^\d{1,18}$/.test(id) ? await User.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE }) : null;
  if (!user || (await isKeyUser(id, t))) throw new NotFoundError('Usuário não encontrado.');
  return user;
}

async function activeUnit(unitId: string, t: Transaction): Promise<Unit> {
  const unit = await Unit.findByPk(unitId, { transaction: t });
  if (!unit || !unit.active) throw new ValidationError('Corrija os campos indicados.', { unitId: 'Escolha uma unidade ativa.' });
  return unit;
}

/** The tenant must keep at least one active administrator in an active unit. */
async function assertAnAdminRemains(t: Transaction): Promise<void> {
  const n = await UserUnit.count({
    where: { role: 'admin' },
    include: [
      { model: User, as: 'user', where: { active: true } },
      { model: Unit, as: 'unit', where: { active: true } },
    ],
    transaction: t,
  });
  if (n === 0) throw new ConflictError('O órgão ficaria sem nenhum administrador: dê antes o perfil de administrador a outra pessoa.');
}

export interface Invitation {
  name: string;
  email: string;
  cpf: string | null;
  memberships: { unitId: string; role: Role }[];
}

/** Creates the user without a password, gives the roles, and e-mails the invitation — one transaction. */
export async function inviteUser(actor: Actor, config: Config, inv: Invitation): Promise<User> {
  return inTenant(async (t) => {
    if (await User.findOne({ where: { email: inv.email }, transaction: t })) {
      throw new ValidationError('Corrija os campos indicados.', { email: 'Já existe um usuário com este e-mail.' });
    }
    if (inv.cpf) await assertCpfFree(inv.cpf, null, t);
    for (const m of inv.memberships) await activeUnit(m.unitId, t);
    const user = await User.create({ name: inv.name, email: inv.email, cpf: inv.cpf, passwordHash: null }, { transaction: t });
    const unique = [...new Map(inv.memberships.map((m) => [`${m.unitId}:${m.role}`, m])).values()];
    await UserUnit.bulkCreate(unique.map((m) => ({ userId: String(user.id), unitId: m.unitId, role: m.role })), { transaction: t });
    await recordChange(actor, { action: 'user.invite', entity: 'user', entityId: String(user.id), after: { ...snapshot(user), memberships: unique } });
    await sendPasswordLink(config, user, 'invite');
    return user;
  });
}

export async function resendInvitation(actor: Actor, config: Config, id: string): Promise<void> {
  await inTenant(async (t) => {
    const user = await lockedUser(id, t);
    if (!user.active) throw new ConflictError('O usuário está desativado: reative-o antes de reenviar o convite.');
    if (user.passwordHash) throw new ConflictError('Este usuário já definiu a senha; se a esqueceu, ele pode usar "Esqueci minha senha".');
    await sendPasswordLink(config, user, 'invite');
    await recordChange(actor, { action: 'user.invite_resend', entity: 'user', entityId: id });
  });
}

export async function addMembership(actor: Actor, userId: string, unitId: string, role: Role): Promise<void> {
  await inTenant(async (t) => {
    await lockedUser(userId, t);
    const unit = await activeUnit(unitId, t);
    if (await UserUnit.findOne({ where: { userId, unitId, role }, transaction: t })) return;
    const row = await UserUnit.create({ userId, unitId, role }, { transaction: t });
    await recordChange(actor, { action: 'user.role_add', entity: 'user', entityId: userId, after: { unitId, acronym: unit.acronym, role, membershipId: String(row.id) } });
    await staleMembershipsOf(userId, t);
  });
}

export async function removeMembership(actor: Actor, userId: string, membershipId: string): Promise<void> {
  await inTenant(async (t) => {
    await lockedUser(userId, t);
    const row = await UserUnit.findOne({ where: { id: membershipId, userId }, include: [{ model: Unit, as: 'unit' }], transaction: t });
    if (!row) throw new NotFoundError('Perfil não encontrado.');
    const unit = (row as UserUnit & { unit: Unit }).unit;
    await row.destroy({ transaction: t });
    if (row.role === 'admin') await assertAnAdminRemains(t);
    await recordChange(actor, { action: 'user.role_remove', entity: 'user', entityId: userId, before: { unitId: String(unit.id), acronym: unit.acronym, role: row.role } });
    await staleMembershipsOf(userId, t);
  });
}

/** Deactivates a user and ends their sessions at once; they can no longer log in or use links. */
export async function deactivateUser(actor: Actor, id: string): Promise<void> {
  await inTenant(async (t) => {
    if (id === actor.userId) throw new ConflictError('Você não pode desativar a si mesmo(a).');
    const user = await lockedUser(id, t);
    if (!user.active) return;
    await user.update({ active: false }, { transaction: t });
    await assertAnAdminRemains(t);
    await endSessionsOf(id, t);
    await recordChange(actor, { action: 'user.deactivate', entity: 'user', entityId: id, before: { active: true }, after: { active: false } });
  });
}

export async function reactivateUser(actor: Actor, id: string): Promise<void> {
  await inTenant(async (t) => {
    const user = await lockedUser(id, t);
    if (user.active) return;
    await user.update({ active: true }, { transaction: t });
    await recordChange(actor, { action: 'user.reactivate', entity: 'user', entityId: id, before: { active: false }, after: { active: true } });
  });
}

/** A CPF identifies one user (gov.br sign-in matches it): refused when another user has it. */
async function assertCpfFree(cpf: string, userId: string | null, t: Transaction): Promise<void> {
  const other = await User.findOne({ where: { cpf }, transaction: t });
  if (other && String(other.id) !== userId) throw new ValidationError('Corrija os campos indicados.', { cpf: 'Outro usuário já tem este CPF.' });
}

/** Records (or clears, with null) the CPF with which the user signs in with gov.br. */
export async function setUserCpf(actor: Actor, userId: string, cpf: string | null): Promise<void> {
  await inTenant(async (t) => {
    const user = await lockedUser(userId, t);
    if (user.cpf === cpf) return;
    if (cpf) await assertCpfFree(cpf, userId, t);
    const before = user.cpf;
    await user.update({ cpf }, { transaction: t });
    await recordChange(actor, { action: 'user.cpf', entity: 'user', entityId: userId, before: { cpf: before }, after: { cpf } });
  });
}

export async function addPosition(actor: Actor, userId: string, title: string): Promise<void> {
  await inTenant(async (t) => {
    await lockedUser(userId, t);
    const existing = await UserPosition.findOne({ where: { userId, title: { [Op.iLike]: title } }, transaction: t });
    if (existing?.active) throw new ValidationError('Corrija os campos indicados.', { title: 'Este usuário já tem este cargo.' });
    const position = existing ? await existing.update({ active: true, title }, { transaction: t }) : await UserPosition.create({ userId, title }, { transaction: t });
    await recordChange(actor, { action: 'user.position_add', entity: 'user', entityId: userId, after: snapshot(position) });
  });
}

export async function deactivatePosition(actor: Actor, userId: string, positionId: string): Promise<void> {
  await inTenant(async (t) => {
    const position = await UserPosition.findOne({ where: { id: positionId, userId }, transaction: t, lock: t.LOCK.UPDATE });
    if (!position) throw new NotFoundError('Cargo não encontrado.');
    const before = snapshot(position);
    await position.update({ active: false }, { transaction: t });
    await recordChange(actor, { action: 'user.position_remove', entity: 'user', entityId: userId, before, after: snapshot(position) });
  });
}

/** The active titles a user may sign under (for the signature screens). */
export async function positionsOf(userId: string): Promise<string[]> {
  const rows = await inTenant((t) => UserPosition.findAll({ where: { userId, active: true }, order: [['title', 'ASC']], transaction: t }));
  return rows.map((r) => r.title);
}

/**
 * "Esqueci minha senha": e-mails a reset link when an active user has this e-mail, and does
 * nothing otherwise. The caller answers the same either way.
 */
export async function requestPasswordReset(config: Config, email: string): Promise<void> {
  await inTenant(async (t) => {
    const user = await User.findOne({ where: { email, active: true }, transaction: t });
    if (user) await sendPasswordLink(config, user, 'reset');
  });
}
