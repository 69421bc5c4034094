import { ConnectionError } from 'sequelize';

/** Node socket errors of a database that is not there (stopped, restarting, unreachable). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOENT', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
/** PostgreSQL: connection exceptions (08…) and operator intervention (57P01–57P03: shutting down, crashed, starting up). */
const SERVER_CODES = /^(08|57P0[1-3])/;
/** What pg reports, without a code, when the server ends a connection mid-use. */
const MESSAGES = /Connection terminated|terminating connection|database system is (shutting down|starting up|in recovery mode|not yet accepting)|Client has encountered a connection error/i;

/**
 * The database could not be reached, said without the socket's own code: a missing Unix socket
 * (`ENOENT`, PostgreSQL stopped) reads to express-session as "no such session", which would log the
 * user out instead of failing the request.
 */
export class DatabaseUnavailableError extends Error {
  readonly code = 'EDBUNAVAILABLE';
  constructor(cause: unknown) {
    super(`Banco de dados indisponível: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * Whether `err` means "the database cannot be reached now" rather than a fault of the request or
 * of the code: such a request is answered 503 (try again shortly), not 500. Looks through
 * Sequelize's wrapping (`parent`/`original`) and `cause`.
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  if (err instanceof ConnectionError || err instanceof DatabaseUnavailableError) return true;
  const e = err as { code?: unknown; message?: unknown; parent?: unknown; original?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && (SOCKET_CODES.has(e.code) || SERVER_CODES.test(e.code))) return true;
  if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
  return [e.parent, e.original, e.cause].some((inner) => inner !== err && isDatabaseUnavailable(inner, depth + 1));
}
