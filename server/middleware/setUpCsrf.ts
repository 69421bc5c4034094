import { Router } from 'express';
import { csrfSync } from 'csrf-sync';
import { bindSessionToHost } from './setUpSession';

/** Synchroniser tokens kept in the session; every POST must carry `_csrf` (form) or `x-csrf-token`. */
export default function setUpCsrf(): Router {
  const router = Router();
  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    getTokenFromRequest: (req) => {
      const body = req.body as Record<string, unknown> | undefined;
      const fromBody = body && typeof body._csrf === 'string' ? body._csrf : undefined;
      return fromBody ?? (req.headers['x-csrf-token'] as string | undefined);
    },
  });
  router.use(csrfSynchronisedProtection);
  router.use((req, res, next) => {
    // Generated only when a page actually renders a form.
    res.locals.csrfToken = () => {
      bindSessionToHost(req);
      return generateToken(req);
    };
    next();
  });
  return router;
}
