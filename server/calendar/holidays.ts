import { recordChange, type Actor } from '../audit/record';
import { execute, select } from '../db/sql';
import { NotFoundError, ValidationError } from '../errors';
import { inTenant } from '../tenancy/context';

export interface Holiday {
  day: string;
  name: string;
  scope: 'national' | 'local';
}

/** The tenant's holidays of a year, national and local, in date order. */
export async function listHolidays(year: number): Promise<Holiday[]> {
  return inTenant((t) => select<Holiday>(t, "SELECT to_char(day, 'YYYY-MM-DD') AS day, name, scope FROM holidays WHERE extract(year FROM day) = $1 ORDER BY day", [year]));
}

/** Adds a local holiday (a day already a holiday is refused next to the date). */
export async function addLocalHoliday(actor: Actor, day: string, name: string): Promise<void> {
  await inTenant(async (t) => {
    const added = await select<{ day: string }>(t, "INSERT INTO holidays (day, name, scope) VALUES ($1::date, $2, 'local') ON CONFLICT (day) DO NOTHING RETURNING day::text", [day, name]);
    if (!added.length) throw new ValidationError('Esta data já é feriado.', { day: 'Esta data já é feriado.' });
    await recordChange(actor, { action: 'holiday.create', entity: 'holiday', entityId: day, after: { day, name, scope: 'local' } });
  });
}

/** Removes a local holiday; the national ones stay. Deadlines already computed keep their date. */
export async function removeLocalHoliday(actor: Actor, day: string): Promise<void> {
  await inTenant(async (t) => {
    const [row] = await select<{ name: string }>(t, "SELECT name FROM holidays WHERE day = $1::date AND scope = 'local' FOR UPDATE", [day]);
    if (!row) throw new NotFoundError('Feriado local não encontrado.');
    await execute(t, 'DELETE FROM holidays WHERE day = $1::date', [day]);
    await recordChange(actor, { action: 'holiday.delete', entity: 'holiday', entityId: day, before: { day, name: row.name, scope: 'local' } });
  });
}
