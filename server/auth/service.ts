import { Operator, TenantAuditEntry, User } from '../models';
import { inTenant, requireTenant } from '../tenancy/context';
import { verifyPassword } from './passwords';
import type { Principal } from './principal';

/** A tenant user of the current tenant, when the e-mail and password match an active account. */
export async function authenticateUser(email: string, password: string): Promise<Principal | null> {
  const tenant = requireTenant();
  const user = await inTenant(() => User.findOne({ where: { email: email.toLowerCase() } }));
  const ok = await verifyPassword(user?.passwordHash, password);
  if (!user || !ok || !user.active) return null;
  return { type: 'user', id: String(user.id), tenantId: tenant.id, name: user.name, email: user.email };
}

export async function authenticateOperator(email: string, password: string): Promise<Principal | null> {
  const operator = await Operator.findOne({ where: { email: email.toLowerCase() } });
  const ok = await verifyPassword(operator?.passwordHash, password);
  if (!operator || !ok || !operator.active) return null;
  return { type: 'operator', id: String(operator.id), name: operator.name, email: operator.email };
}

export async function recordTenantEvent(
  userId: string | null,
  action: string,
  meta: { ip?: string; requestId?: string; entity?: string; entityId?: string | null } = {},
): Promise<void> {
  await inTenant(() =>
    TenantAuditEntry.create({
      userId,
      action,
      entity: meta.entity ?? 'session',
      entityId: meta.entityId ?? userId,
      before: null,
      after: null,
      ip: meta.ip ?? null,
      requestId: meta.requestId ?? null,
    }),
  );
}

/** The active user of the current tenant whose CPF is `cpf` (gov.br sign-in), or null. */
export async function userByCpf(cpf: string): Promise<Principal | null> {
  const tenant = requireTenant();
  const user = await inTenant(() => User.findOne({ where: { cpf, active: true } }));
  return user ? { type: 'user', id: String(user.id), tenantId: tenant.id, name: user.name, email: user.email } : null;
}

/** The active MGI operator whose CPF is `cpf` (gov.br sign-in on the platform host), or null. */
export async function operatorByCpf(cpf: string): Promise<Principal | null> {
  const operator = await Operator.findOne({ where: { cpf, active: true } });
  return operator ? { type: 'operator', id: String(operator.id), name: operator.name, email: operator.email } : null;
}
