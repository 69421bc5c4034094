import type { Request } from 'express';
import { bindSessionToHost } from '../middleware/setUpSession';
import { refreshMemberships } from './currentUnit';
import type { Principal } from './principal';

/** Starts a session for `principal` (passport regenerates the session id), bound to this host. */
export async function logIn(req: Request, principal: Principal): Promise<void> {
  await new Promise<void>((resolve, reject) => req.login(principal, (err) => (err ? reject(err) : resolve())));
  bindSessionToHost(req);
  if (principal.type === 'user') await refreshMemberships(req);
}
