import type { RegisteredTenant } from '../../tenancy/registry';
import type { Principal } from '../../auth/principal';

export type Site = { type: 'platform' } | { type: 'tenant'; tenant: RegisteredTenant };

declare global {
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends Principal {}
    interface Request {
      site: Site;
      /** What the route's `input(...)` schema parsed (server/validation.ts). */
      input?: unknown;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    boundHost?: string;
    csrfToken?: string;
    currentUnitId?: string;
    /** Secret of this browser's gov.br login in progress (its hash travels with the login and ticket). */
    govbrBinding?: string;
    /** The session was started through gov.br (logout then offers gov.br's end-session link). */
    signedInWithGovbr?: boolean;
  }
}
