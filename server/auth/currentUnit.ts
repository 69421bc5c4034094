import type { Request, RequestHandler } from 'express';
import { PermissionDeniedError } from '../errors';
import { membershipsOf, type Membership } from '../home/service';
import type { Role } from '../models';

/**
 * A tenant user works in one unit at a time. Their units and roles are loaded at login and kept in
 * the session (no query per request); the current unit is one of them, switched in the header.
 * Whoever changes a user's roles or units must call `refreshMemberships` for that user's sessions
 * (or end them).
 */

declare module 'express-session' {
  interface SessionData {
    memberships?: Membership[];
  }
}

export async function refreshMemberships(req: Request): Promise<void> {
  if (req.user?.type !== 'user') return;
  const memberships = await membershipsOf(req.user.id);
  req.session.memberships = memberships;
  if (!memberships.some((m) => m.unitId === req.session.currentUnitId)) {
    req.session.currentUnitId = memberships[0]?.unitId;
  }
}

export function currentUnit(req: Request): Membership | undefined {
  return req.session.memberships?.find((m) => m.unitId === req.session.currentUnitId);
}

export function hasRole(req: Request, role: Role): boolean {
  return currentUnit(req)?.roles.includes(role) ?? false;
}

/**
 * Exposes the current unit and the user's units to the views (header switcher), and whether the
 * user administers (so links they cannot use are not shown). Memberships dropped from a session
 * (an administrator changed this user's roles) are reloaded here.
 */
export const exposeCurrentUnit: RequestHandler = async (req, res, next) => {
  if (req.user?.type === 'user') {
    if (!req.session.memberships) await refreshMemberships(req);
    res.locals.memberships = req.session.memberships ?? [];
    res.locals.currentUnit = currentUnit(req);
    res.locals.isAdmin = hasRole(req, 'admin');
  }
  next();
};

/** Refuses with 403 unless the user holds `role` in the current unit. */
export function requireRole(role: Role): RequestHandler {
  return (req, _res, next) => {
    if (req.user?.type === 'user' && hasRole(req, role)) return next();
    next(new PermissionDeniedError('Você não tem o perfil necessário para esta página na unidade atual.'));
  };
}
