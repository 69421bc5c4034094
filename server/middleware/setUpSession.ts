import connectPgSimple from 'connect-pg-simple';
import { Router, type RequestHandler, type Response } from 'express';
import session from 'express-session';
import type { Pool } from 'pg';
import type { Config } from '../config';
import { statementName } from '../db/prepared';
import { DatabaseUnavailableError, isDatabaseUnavailable } from '../db/unavailable';
import type { SessionReadCache } from './sessionReadCache';

/**
 * Sessions live in `platform.sessions`, so web processes are stateless. The cookie is host-only
 * (no Domain attribute): each tenant host has its own. A session also remembers the host it was
 * bound to; presented on any other host it is replaced by a fresh, anonymous one (the original is
 * left untouched for its own host).
 */
/**
 * The idle timeout rolls forward on every request (rolling cookie), but writing the new expiry to
 * the database on every request costs a write per page view. A session touched by this process less
 * than TOUCH_EVERY_MS ago is not written again: its stored expiry lags by at most that much behind
 * the cookie's (8 h), which no one notices. Saving or destroying the session still writes at once.
 */
export const TOUCH_EVERY_MS = 60_000;

type StoreQuery = (text: string, params: unknown[], fn: (err: unknown, row?: Record<string, unknown>) => void) => void;

function throttledTouchStore(PgStore: ReturnType<typeof connectPgSimple>, cache?: SessionReadCache) {
  return class ThrottledTouchStore extends PgStore {
    private readonly touchedAt = new Map<string, number>();
    private lastSweep = Date.now();

    /**
     * From this process's memory when it holds the session (server/middleware/sessionReadCache.ts),
     * else from PostgreSQL as connect-pg-simple reads it, with the row's remaining time (how long
     * the copy may be kept).
     */
    override get(sid: string, fn: (err: unknown, session?: session.SessionData | null) => void): void {
      if (!cache?.active) return super.get(sid, fn);
      const held = cache.get(sid) as session.SessionData | undefined;
      if (held) return fn(null, held);
      const startedAt = cache.readStarts();
      const query = (this as unknown as { query: StoreQuery }).query.bind(this);
      query(
        'SELECT sess, extract(epoch FROM expire - localtimestamp) * 1000 AS ttl_ms FROM platform.sessions WHERE sid = $1 AND expire >= to_timestamp($2)',
        [sid, Math.ceil(Date.now() / 1000)],
        (err, row) => {
          if (err) return fn(err);
          if (!row) return fn(null, null);
          const sess = (typeof row.sess === 'string' ? JSON.parse(row.sess) : row.sess) as session.SessionData;
          cache.keep(sid, sess, Date.now() + Number(row.ttl_ms), startedAt);
          fn(null, sess);
        },
      );
    }

    private remember(sid: string, now: number): void {
      this.touchedAt.set(sid, now);
      if (now - this.lastSweep > TOUCH_EVERY_MS) {
        this.lastSweep = now;
        for (const [id, at] of this.touchedAt) if (now - at >= TOUCH_EVERY_MS) this.touchedAt.delete(id);
      }
    }

    override touch(sid: string, sess: session.SessionData, fn?: (err?: unknown) => void): void {
      const now = Date.now();
      const at = this.touchedAt.get(sid);
      if (at !== undefined && now - at < TOUCH_EVERY_MS) return fn?.();
      this.remember(sid, now);
      super.touch(sid, sess, (err?: unknown) => {
        // The row's expiry is now the cookie's (as connect-pg-simple writes it on a touch).
        if (!err && sess.cookie?.expires) cache?.touched(sid, new Date(sess.cookie.expires).getTime());
        fn?.(err);
      });
    }

    override set(sid: string, sess: session.SessionData, fn?: (err?: unknown) => void): void {
      this.remember(sid, Date.now());
      cache?.drop(sid);
      super.set(sid, sess, fn);
    }

    override destroy(sid: string, fn?: (err?: unknown) => void): void {
      this.touchedAt.delete(sid);
      cache?.drop(sid);
      super.destroy(sid, fn);
    }
  };
}

/**
 * The store's statements (read the session, touch it, save it) are the same text on every request:
 * run as named prepared statements, PostgreSQL parses and plans each once per connection instead of
 * once per page. A database out of reach fails the request (503), never reads as "no session".
 */
function preparedStatements(pool: Pool): Pool {
  return {
    query: (text: string, values?: unknown[]) =>
      pool.query({ name: statementName(text), text, values }).catch((err: unknown) => {
        throw isDatabaseUnavailable(err) ? new DatabaseUnavailableError(err) : err;
      }),
  } as unknown as Pool;
}

/**
 * `cache`: this process's copies of the sessions it read (server/middleware/sessionReadCache.ts),
 * used only while it listens for session changes; without it every request reads its session.
 */
export default function setUpSession(config: Config, pool: Pool, cache?: SessionReadCache): Router {
  const PgStore = throttledTouchStore(connectPgSimple(session), cache);
  const router = Router();
  router.use(
    session({
      name: config.production ? '__Host-pen.sid' : 'pen.sid',
      secret: config.sessionSecret,
      store: new PgStore({ pool: preparedStatements(pool), schemaName: 'platform', tableName: 'sessions', pruneSessionInterval: 15 * 60 }),
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
  router.use(saveBeforeRedirect);
  router.use((req, _res, next) => {
    const host = req.hostname.toLowerCase();
    if (req.session.boundHost && req.session.boundHost !== host) {
      req.sessionStore.generate(req);
    }
    next();
  });
  return router;
}

/** The session's content as express-session compares it (everything but the cookie). */
function contentOf(sess: session.Session & Partial<session.SessionData>): string {
  const { cookie: _cookie, ...content } = sess;
  return JSON.stringify(content);
}

/**
 * A redirect goes out only once the session it changed is stored. express-session sends the
 * response's head before its own save completes (it holds back only the body's last byte), and a
 * browser follows a Location as soon as it reads the head: on a busy server the page the redirect
 * led to read the session as it was before — a flash lost, a citizen who had just opened their
 * request sent back to the "acompanhar" form. A redirect that changed nothing in the session goes
 * out at once; a store that cannot save fails the request (503) instead of losing the change.
 */
const saveBeforeRedirect: RequestHandler = (req, res, next) => {
  const before = contentOf(req.session);
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    if (!req.session || contentOf(req.session) === before) return redirect(...args);
    req.session.save((err: unknown) => (err ? next(err) : redirect(...args)));
  }) as Response['redirect'];
  next();
};

/** Binds the session to this host; called whenever something worth keeping is put in it. */
export function bindSessionToHost(req: Express.Request & { hostname: string }): void {
  req.session.boundHost ??= req.hostname.toLowerCase();
}
