import type { MigrationParams } from '../../server/db/migration-types';

/**
 * Every change of a session's content and every deleted session is announced (NOTIFY, delivered at
 * commit) on `pen_session_changed` with its sid, whoever makes it: logout, a save by any web
 * process, a password change ending sessions, plain SQL. Web processes keep the sessions they read
 * only while they hear these (server/middleware/sessionReadCache.ts). A touch (only `expire` moves)
 * is not announced.
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(
    `
    CREATE FUNCTION platform.announce_session_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('pen_session_changed', OLD.sid);
      RETURN NULL;
    END
    $$;
    CREATE TRIGGER sessions_changed AFTER UPDATE ON platform.sessions
      FOR EACH ROW WHEN (OLD.sess::text IS DISTINCT FROM NEW.sess::text OR OLD.sid IS DISTINCT FROM NEW.sid)
      EXECUTE FUNCTION platform.announce_session_change();
    CREATE TRIGGER sessions_deleted AFTER DELETE ON platform.sessions
      FOR EACH ROW EXECUTE FUNCTION platform.announce_session_change();
    `,
    { transaction: context.transaction },
  );
}
