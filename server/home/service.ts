import { Unit, UserUnit, type Role } from '../models';
import { inTenant } from '../tenancy/context';

export interface Membership {
  unitId: string;
  acronym: string;
  name: string;
  roles: Role[];
}

/** The units a user works in, with their roles in each, by unit acronym. */
export async function membershipsOf(userId: string): Promise<Membership[]> {
  const rows = await inTenant(() =>
    UserUnit.findAll({
      where: { userId },
      include: [{ model: Unit, as: 'unit', where: { active: true } }],
      order: [[{ model: Unit, as: 'unit' }, 'acronym', 'ASC']],
    }),
  );
  const byUnit = new Map<string, Membership>();
  for (const row of rows) {
    const unit = (row as UserUnit & { unit: Unit }).unit;
    const key = String(unit.id);
    const m = byUnit.get(key) ?? { unitId: key, acronym: unit.acronym, name: unit.name, roles: [] };
    m.roles.push(row.role);
    byUnit.set(key, m);
  }
  return [...byUnit.values()];
}
