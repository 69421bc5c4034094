import { Op } from 'sequelize';
import { select } from '../db/sql';
import { legalBasisOptions, processTypeOptions, type ProcessTypeOption } from '../catalogs/service';
import { ProcessType, Unit } from '../models';
import { inTenant, requireTenant } from '../tenancy/context';
import { findableSql, type Viewer } from './access';

/**
 * What the processes' pages show besides a process: the options of their forms, the inbox's type
 * filter, the processes a batch form names, a process found by its number. Each read is one tenant
 * transaction; the route files only call these.
 */

/**
 * The type filter of the inbox lists every process type of the tenant; it changes rarely, so each
 * web process keeps it for a minute per tenant instead of reading it on every inbox request.
 */
const TYPE_TTL_MS = 60_000;
const typeCache = new Map<string, { at: number; types: { id: string; name: string }[] }>();

export async function processTypesForFilter(): Promise<{ id: string; name: string }[]> {
  const key = requireTenant().schema;
  const hit = typeCache.get(key);
  if (hit && Date.now() - hit.at < TYPE_TTL_MS) return hit.types;
  const rows = await inTenant((t) => ProcessType.findAll({ attributes: ['id', 'name'], order: [['name', 'ASC']], transaction: t, raw: true }));
  const types = rows.map((r) => ({ id: String(r.id), name: r.name }));
  typeCache.set(key, { at: Date.now(), types });
  return types;
}

/** The form options of "Iniciar processo" and "Alterar": active types with their allowed levels, legal bases. */
export async function processFormOptions(): Promise<{ types: ProcessTypeOption[]; legalBases: { id: string; name: string }[] }> {
  return inTenant(async () => ({ types: await processTypeOptions(), legalBases: await legalBasisOptions() }));
}

/** The send form: the chosen processes the viewer may find, and the active units it may send to. */
export async function sendFormData(viewer: Viewer, ids: string[]): Promise<{ processes: { id: string; number: string }[]; units: Unit[] }> {
  return inTenant(async (t) => ({
    processes: await select<{ id: string; number: string }>(
      t,
      `SELECT p.id, p.number FROM processes p WHERE p.id = ANY ($1::bigint[]) AND ${findableSql('$2')} ORDER BY p.number`,
      [ids, viewer.userId],
    ),
    units: await Unit.findAll({ where: { active: true, id: { [Op.ne]: viewer.unitId } }, order: [['acronym', 'ASC']], transaction: t }),
  }));
}

/** The process with this number (any mask), when the viewer may find it (restrito yes, sigiloso only with a credential). */
export async function findProcessByNumber(viewer: Viewer, numero: string): Promise<string | null> {
  const digits = numero.replace(/[^0-9]/g, '');
  if (!digits) return null;
  const found = await inTenant((t) =>
    select<{ id: string }>(t, `SELECT p.id FROM processes p WHERE p.number_digits = $1 AND ${findableSql('$2')}`, [digits, viewer.userId]),
  );
  return found[0]?.id ?? null;
}
