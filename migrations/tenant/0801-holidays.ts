import type { MigrationParams } from '../../server/db/migration-types';

/**
 * The tenant's holidays, for business-day deadlines (server/calendar/businessDays.ts): the national
 * ones seeded for 2026–2027 (Lei 662/1949, 6.802/1980, 14.759/2023 and the Paixão de Cristo of the
 * federal calendar), and the local ones the tenant's administration adds (the municipal holidays,
 * a ponto facultativo it keeps).
 */
const NATIONAL_HOLIDAYS: [string, string][] = [
  ['2026-01-01', 'Confraternização Universal'],
  ['2026-04-03', 'Paixão de Cristo'],
  ['2026-04-21', 'Tiradentes'],
  ['2026-05-01', 'Dia Mundial do Trabalho'],
  ['2026-09-07', 'Independência do Brasil'],
  ['2026-10-12', 'Nossa Senhora Aparecida'],
  ['2026-11-02', 'Finados'],
  ['2026-11-15', 'Proclamação da República'],
  ['2026-11-20', 'Dia Nacional de Zumbi e da Consciência Negra'],
  ['2026-12-25', 'Natal'],
  ['2027-01-01', 'Confraternização Universal'],
  ['2027-03-26', 'Paixão de Cristo'],
  ['2027-04-21', 'Tiradentes'],
  ['2027-05-01', 'Dia Mundial do Trabalho'],
  ['2027-09-07', 'Independência do Brasil'],
  ['2027-10-12', 'Nossa Senhora Aparecida'],
  ['2027-11-02', 'Finados'],
  ['2027-11-15', 'Proclamação da República'],
  ['2027-11-20', 'Dia Nacional de Zumbi e da Consciência Negra'],
  ['2027-12-25', 'Natal'],
];

export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(
    `
    CREATE TABLE holidays (
      day DATE PRIMARY KEY,
      name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      scope TEXT NOT NULL CHECK (scope IN ('national', 'local')),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`,
    { transaction: context.transaction },
  );
  await context.sequelize.query(
    `INSERT INTO holidays (day, name, scope) SELECT d::date, n, 'national' FROM unnest($1::text[], $2::text[]) AS h(d, n)`,
    { transaction: context.transaction, bind: [NATIONAL_HOLIDAYS.map((h) => h[0]), NATIONAL_HOLIDAYS.map((h) => h[1])] },
  );
}
