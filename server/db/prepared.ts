import crypto from 'node:crypto';
import type { Client } from 'pg';
import { logger } from '../logger';

/**
 * The statements behind the busiest pages (the inbox, the process page) take longer for PostgreSQL
 * to plan than to run. Run as named prepared statements, they are planned once per pooled connection
 * and reused by every later request on it.
 *
 * Safe with one schema per tenant: PostgreSQL re-parses a prepared statement whenever the
 * search_path differs from the one it was prepared under (and after any DDL on its tables), so a
 * statement prepared for one tenant never reads another's tables. Statements must name their
 * columns (never `SELECT *`), so a migration that adds a column cannot change their result type.
 *
 * Run through `preparedSelect` (server/db/sql.ts, in the caller's tenant transaction, fails closed
 * outside one) or `readInTenant` (server/tenancy/context.ts), on the transaction's connection. This
 * module knows nothing of tenancy, so the two can use it without importing each other.
 */

const names = new Map<string, string>();
let named = true;

/**
 * Off: every statement runs unnamed (parsed and planned each time). Behind PgBouncer in transaction
 * mode without `max_prepared_statements` (before 1.21) a name prepared on one server connection is
 * unknown on the next one (docs/decisions/pgbouncer.md).
 */
export function useNamedStatements(on: boolean): void {
  named = on;
}

export function namedStatementsOn(): boolean {
  return named;
}

/** The statement's name, or undefined (unnamed) when named statements are off. */
export function statementName(text: string): string | undefined {
  if (!named) return undefined;
  let name = names.get(text);
  if (!name) {
    name = `pen_${crypto.createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/** A named prepared statement on a connection whose tenant transaction the caller has opened. */
export async function preparedOn<T>(client: Client, text: string, values: unknown[]): Promise<T[]> {
  logger.trace({ sql: text }, 'sql (prepared)');
  const result = await client.query<T & object>({ name: statementName(text), text, values });
  return result.rows;
}
