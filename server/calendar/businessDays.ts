import type { Transaction } from 'sequelize';
import { select } from '../db/sql';

/**
 * Business days of a tenant: Monday to Friday that is not one of its holidays (tenant.holidays:
 * the national ones seeded, the local ones its administration adds). Days are calendar dates in
 * Brasília ('YYYY-MM-DD'); Brazil has kept UTC−03:00 all year since 2019.
 */
const BRASILIA_OFFSET = '-03:00';
const DAY_MS = 86_400_000;

/** The calendar date in Brasília of an instant. */
export function brasiliaDay(at: Date): string {
  return new Date(at.getTime() - 3 * 3_600_000).toISOString().slice(0, 10);
}

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

export function isBusinessDay(day: string, holidays: ReadonlySet<string>): boolean {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holidays.has(day);
}

function nextBusinessDay(day: string, holidays: ReadonlySet<string>): string {
  let d = day;
  while (!isBusinessDay(d, holidays)) d = addDays(d, 1);
  return d;
}

/**
 * The last day of a deadline of `days` days counted from `sentAt` (Lei 11.419/2006, art. 5º §3º and
 * CPC art. 224): day 1 is the first business day after the day it was sent; the days then run on
 * the calendar; an end on a non-business day moves to the next business day.
 */
export function deadlineDay(sentAt: Date, days: number, holidays: ReadonlySet<string>): string {
  if (!Number.isInteger(days) || days < 1) throw new RangeError('Um prazo tem pelo menos um dia.');
  const first = nextBusinessDay(addDays(brasiliaDay(sentAt), 1), holidays);
  return nextBusinessDay(addDays(first, days - 1), holidays);
}

/** The instant a deadline's last day ends in Brasília (the deadline has passed from then on). */
export function endOfDay(day: string): Date {
  return new Date(`${addDays(day, 1)}T00:00:00${BRASILIA_OFFSET}`);
}

/** The tenant's holidays between two days (inclusive), in `t`. */
export async function holidaysBetween(t: Transaction, from: string, to: string): Promise<Set<string>> {
  const rows = await select<{ day: string }>(t, "SELECT to_char(day, 'YYYY-MM-DD') AS day FROM holidays WHERE day BETWEEN $1::date AND $2::date", [from, to]);
  return new Set(rows.map((r) => r.day));
}

/** The tenant's deadline of `days` days from `sentAt`: its last day and the instant it ends. */
export async function businessDeadline(t: Transaction, sentAt: Date, days: number): Promise<{ lastDay: string; endsAt: Date }> {
  const from = brasiliaDay(sentAt);
  // Far enough for any run of weekends and holidays after the calendar days.
  const holidays = await holidaysBetween(t, from, addDays(from, days + 60));
  const lastDay = deadlineDay(sentAt, days, holidays);
  return { lastDay, endsAt: endOfDay(lastDay) };
}
