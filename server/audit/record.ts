import type { Request } from 'express';
import { TenantAuditEntry } from '../models';
import { inTenant } from '../tenancy/context';

/** Who does an administrative change, and from where: taken from the request by the route. */
export interface Actor {
  userId: string | null;
  ip: string | null;
  requestId: string | null;
}

/** The author of an administrative change (the audit log's user, address and request), from the request. */
export function auditActorOf(req: Request): Actor {
  return { userId: req.user?.type === 'user' ? req.user.id : null, ip: req.ip ?? null, requestId: req.id ? String(req.id) : null };
}

export interface Change {
  action: string;
  entity: string;
  entityId: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/** Writes one audit entry in the caller's tenant transaction, so it exists exactly when the change does. */
export async function recordChange(actor: Actor, change: Change): Promise<void> {
  const { userId, ip, requestId } = actor;
  const { action, entity, entityId, before = null, after = null } = change;
  await inTenant(() => TenantAuditEntry.create({ userId, ip, requestId, action, entity, entityId, before, after }));
}

/** A row's plain attributes without the timestamps, as the before/after of an audit entry. */
export function snapshot(row: { get(options: { plain: true }): object }): Record<string, unknown> {
  const { createdAt: _c, updatedAt: _u, passwordHash: _p, ...rest } = row.get({ plain: true }) as Record<string, unknown>;
  return rest;
}
