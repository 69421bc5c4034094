import type { MigrationParams } from '../../server/db/migration-types';

/**
 * Exact counts for the Controle de processos without counting: the number of processes open in
 * each unit, per list (Recebidos, Gerados), kept by a trigger on process_units in the same
 * transaction as every change (send, conclude, reopen, annex…), so it is never stale. A unit with
 * 10,000 open processes shows "10.000 processos" by reading one row instead of scanning an index.
 * (Filtered lists still count on the fly, bounded.)
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(
    `
    CREATE TABLE unit_inbox_counts (
      unit_id BIGINT NOT NULL REFERENCES units (id),
      list TEXT NOT NULL CHECK (list IN ('received', 'created')),
      open_count INTEGER NOT NULL CHECK (open_count >= 0),
      PRIMARY KEY (unit_id, list)
    );

    INSERT INTO unit_inbox_counts (unit_id, list, open_count)
    SELECT unit_id, list, count(*) FROM process_units WHERE open GROUP BY unit_id, list;

    CREATE FUNCTION count_unit_inbox() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.open THEN
        UPDATE unit_inbox_counts SET open_count = open_count - 1 WHERE unit_id = OLD.unit_id AND list = OLD.list;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.open THEN
        INSERT INTO unit_inbox_counts AS c (unit_id, list, open_count) VALUES (NEW.unit_id, NEW.list, 1)
        ON CONFLICT (unit_id, list) DO UPDATE SET open_count = c.open_count + 1;
      END IF;
      RETURN NULL;
    END $$;

    CREATE TRIGGER process_units_count_inbox
      AFTER INSERT OR DELETE OR UPDATE OF open, list, unit_id ON process_units
      FOR EACH ROW EXECUTE FUNCTION count_unit_inbox();
    `,
    { transaction: context.transaction },
  );
}
