import type { MigrationParams } from '../../server/db/migration-types';

/**
 * Hipóteses legais in both directions (docs/decisions/tramita.md, "Hipóteses legais"): the sending
 * map (local legal basis → hipótese legal of the national list, data/hipoteses-legais.csv) beside the
 * receiving map of 0700, and the default hipótese for sending. Without either, a legal basis whose
 * name is not that of a national hipótese blocks sending, naming it.
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(
    `CREATE TABLE tramita_legal_basis_send_map (
       legal_basis_id BIGINT PRIMARY KEY REFERENCES legal_bases (id),
       hipotese TEXT NOT NULL CHECK (length(hipotese) BETWEEN 1 AND 300)
     );
     ALTER TABLE tramita_settings ADD COLUMN default_send_hipotese TEXT CHECK (length(default_send_hipotese) BETWEEN 1 AND 300);`,
    { transaction: context.transaction },
  );
}
