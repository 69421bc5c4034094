import type { Transaction } from 'sequelize';
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
  return inTenant((t) => yearHolidays(t, year));
}

function yearHolidays(t: Transaction, year: number): Promise<Holiday[]> {
  return select<Holiday>(t, "SELECT to_char(day, 'YYYY-MM-DD') AS day, name, scope FROM holidays WHERE extract(year FROM day) = $1 ORDER BY day", [year]);
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

export interface DeadlineSettings {
  /** The tenant's tacit period for intimações (protocol_settings). */
  tacitDays: number;
  /** Active process types, each with its own period or null (the tenant's). */
  processTypes: { id: string; name: string; tacitDays: number | null }[];
}

export interface HolidayPage {
  holidays: Holiday[];
  /** The years the page links to: from this year (or the first with holidays) to the year after the last seeded. */
  firstYear: number;
  lastYear: number;
  /** The national holidays of the year are in the table (seeded 2026–2027). */
  nationalSeeded: boolean;
  deadlines: DeadlineSettings;
}

/** The holidays page of `year`: its holidays, the years worth linking, the deadline periods. */
export async function holidayPage(year: number, thisYear: number): Promise<HolidayPage> {
  return inTenant(async (t) => {
    const holidays = await yearHolidays(t, year);
    const [span] = await select<{ first: number | null; last: number | null }>(t, "SELECT min(extract(year FROM day))::int AS first, max(extract(year FROM day))::int AS last FROM holidays WHERE scope = 'national'");
    const [{ days }] = await select<{ days: number }>(t, 'SELECT coalesce((SELECT tacit_days FROM protocol_settings), 10) AS days');
    const types = await select<{ id: string; name: string; tacit_days: number | null }>(t, 'SELECT id::text, name, tacit_days FROM process_types WHERE active ORDER BY name');
    return {
      holidays,
      firstYear: Math.min(thisYear, span?.first ?? thisYear),
      lastYear: Math.max(thisYear, span?.last ?? thisYear) + 1,
      nationalSeeded: holidays.some((h) => h.scope === 'national'),
      deadlines: { tacitDays: Number(days), processTypes: types.map((p) => ({ id: p.id, name: p.name, tacitDays: p.tacit_days === null ? null : Number(p.tacit_days) })) },
    };
  });
}

/**
 * The tacit period of intimações (ciência tácita): the tenant's (`processTypeId` null) or a process
 * type's (`days` null: back to the tenant's). Intimações already sent keep the deadline they were given.
 */
export async function setTacitDays(actor: Actor, processTypeId: string | null, days: number | null): Promise<void> {
  await inTenant(async (t) => {
    if (processTypeId === null) {
      if (days === null) throw new ValidationError('Corrija os campos indicados.', { dias: 'Informe o prazo do ente, de 1 a 60 dias.' });
      await execute(t, 'INSERT INTO protocol_settings (singleton, tacit_days) VALUES (true, $1) ON CONFLICT (singleton) DO UPDATE SET tacit_days = EXCLUDED.tacit_days', [days]);
    } else {
      const updated = await select<{ id: string }>(t, 'UPDATE process_types SET tacit_days = $2 WHERE id = $1 AND active RETURNING id::text', [processTypeId, days]);
      if (!updated.length) throw new ValidationError('Corrija os campos indicados.', { tipo: 'Escolha um tipo de processo ativo.' });
    }
    await recordChange(actor, { action: 'tacit_period.update', entity: processTypeId ? 'process_type' : 'protocol_settings', entityId: processTypeId ?? 'ente', after: { tacitDays: days } });
  });
}
