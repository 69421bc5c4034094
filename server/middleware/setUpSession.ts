import connectPgSimple from 'connect-pg-simple';
import { Router } from 'express';
import session from 'express-session';
import type { Pool } from 'pg';
import type { Config } from '../config';

/**
 * Sessions live in `platform.sessions`, so web processes are stateless. The cookie is host-only
 * (no Domain attribute): each tenant host has its own. A session also remembers the host it was
 * bound to; presented on any other host it is replaced by a fresh, anonymous one (the original is
 * left untouched for its own host).
 */
export default function setUpSession(config: Config, pool: Pool): Router {
  const PgStore = connectPgSimple(session);
  const router = Router();
  router.use(
    session({
      name: config.production ? '__Host-pen.sid' : 'pen.sid',
      secret: config.sessionSecret,
      store: new PgStore({ pool, schemaName: 'platform', tableName: 'sessions', pruneSessionInterval: 15 * 60 }),
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: config.production,
        path: '/',
        maxAge: 8 * 60 * 60 * 1000,
      },
    }),
  );
  router.use((req, _res, next) => {
    const host = req.hostname.toLowerCase();
    if (req.session.boundHost && req.session.boundHost !== host) {
      req.sessionStore.generate(req);
    }
    next();
  });
  return router;
}

/** Binds the session to this host; called whenever something worth keeping is put in it. */
export function bindSessionToHost(req: Express.Request & { hostname: string }): void {
  req.session.boundHost ??= req.hostname.toLowerCase();
}
