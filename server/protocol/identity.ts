import type { Request } from 'express';
import type { SessionData } from 'express-session';
import { atLeast, type TrustLevel } from '../govbr/identity';
import { bindSessionToHost } from '../middleware/setUpSession';

/**
 * Who files a request. Today a citizen identifies with name, CPF and an e-mail confirmed by a link;
 * sign-in with gov.br will produce the same identity (method 'govbr') and call `identifyCitizen`.
 * Everything after identification reads `identifiedCitizen(req)` and nothing else.
 */
export interface CitizenIdentity {
  name: string;
  cpf: string;
  email: string;
  method: 'email' | 'govbr';
  verifiedAt: string;
  /** The gov.br account's selo (method 'govbr' only). */
  trustLevel?: TrustLevel;
}

export const TRUST_LEVEL_LABELS: Record<TrustLevel, string> = { bronze: 'bronze', prata: 'prata', ouro: 'ouro' };

/** Whether `citizen` may file in a service that requires `required` (null: any identification). */
export function meetsTrustRequirement(citizen: CitizenIdentity, required: TrustLevel | null | undefined): boolean {
  if (!required) return true;
  return citizen.method === 'govbr' && !!citizen.trustLevel && atLeast(citizen.trustLevel, required);
}

declare module 'express-session' {
  interface SessionData {
    citizen?: CitizenIdentity;
  }
}

/**
 * What survives the new session id: the staff login of this same browser (itself started on a
 * regenerated session, so never planted). Everything else — a draft, a followed request, a gov.br
 * binding, the CSRF token — may have been put there by whoever planted the old id, and is dropped.
 */
const KEPT_ON_IDENTIFICATION = ['passport', 'currentUnitId', 'signedInWithGovbr'] as const;

/**
 * Identifies the citizen in a new session (new id, against session fixation: an id planted in the
 * citizen's browser before identification never becomes an identified session), bound to this host.
 */
export async function identifyCitizen(req: Request, identity: CitizenIdentity): Promise<void> {
  const old = req.session as unknown as Record<string, unknown>;
  const kept = Object.fromEntries(KEPT_ON_IDENTIFICATION.filter((k) => old[k] !== undefined).map((k) => [k, old[k]]));
  await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err as Error) : resolve())));
  Object.assign(req.session, kept as Partial<SessionData>);
  req.session.citizen = identity;
  bindSessionToHost(req);
}

export function identifiedCitizen(req: Request): CitizenIdentity | null {
  return req.session.citizen ?? null;
}
