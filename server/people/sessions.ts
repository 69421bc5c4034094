import type { Transaction } from 'sequelize';
import { execute } from '../db/sql';
import { requireTenant } from '../tenancy/context';

/**
 * Sessions are rows in `platform.sessions` whose `sess` holds the passport principal. These run in
 * the caller's tenant transaction (same database), so they take effect exactly when the change does.
 */
const OF_USER = `sess->'passport'->'user'->>'type' = 'user' AND sess->'passport'->'user'->>'id' = $1 AND sess->'passport'->'user'->>'tenantId' = $2`;

/**
 * Rows these statements may read as json. A session holding a NUL (`\u0000`: stored by the `json`
 * type, refused by every json operator and by a cast to `jsonb`) would fail the whole statement —
 * and with it the unit or user change — for every tenant; such a session is left alone (forms with a
 * NUL are refused at the door, `middleware/refuseNulCharacters.ts`, so none is made now). CASE
 * keeps PostgreSQL from evaluating the json conditions first.
 */
const readable = (condition: string, ifUnreadable = false): string =>
  `CASE WHEN strpos(sess::text, '\\u0000') > 0 THEN ${ifUnreadable} ELSE (${condition}) END`;

/** Ends every session of a user of the current tenant at once (deactivation); an unreadable session too, to be safe. */
export async function endSessionsOf(userId: string, t: Transaction): Promise<void> {
  await execute(t, `DELETE FROM platform.sessions WHERE ${readable(OF_USER, true)}`, [userId, requireTenant().id]);
}

/** Drops the cached units and roles of a user's sessions; the next request reloads them. */
export async function staleMembershipsOf(userId: string, t: Transaction): Promise<void> {
  await execute(t, `UPDATE platform.sessions SET sess = (sess::jsonb - 'memberships')::json WHERE ${readable(OF_USER)}`, [userId, requireTenant().id]);
}

/** Drops the cached units of every session of the current tenant (a unit was renamed or (de)activated). */
export async function staleMembershipsOfTenant(t: Transaction): Promise<void> {
  await execute(
    t,
    `UPDATE platform.sessions SET sess = (sess::jsonb - 'memberships')::json
      WHERE ${readable(`sess->'passport'->'user'->>'type' = 'user' AND sess->'passport'->'user'->>'tenantId' = $1 AND sess::jsonb ? 'memberships'`)}`,
    [requireTenant().id],
  );
}
