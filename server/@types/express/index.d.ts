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
  }
}
