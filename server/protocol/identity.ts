import type { Request } from 'express';

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
}

declare module 'express-session' {
  interface SessionData {
    citizen?: CitizenIdentity;
  }
}

export function identifyCitizen(req: Request, identity: CitizenIdentity): void {
  req.session.citizen = identity;
}

export function identifiedCitizen(req: Request): CitizenIdentity | null {
  return req.session.citizen ?? null;
}
