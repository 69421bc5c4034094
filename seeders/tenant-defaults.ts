import type { TenantDefinition, UnitDefinition } from '../server/tenancy/definition';
import { Unit, User, UserPosition, UserUnit, type Role } from '../server/models';

/**
 * The rows of a new tenant's own, inside its provisioning transaction: the unit tree of its
 * definition (root first) and its first users with their roles. (The default catalogs come with the
 * schema: `seedCatalogs`, run when a schema is built, spare or not.) The one seeding path for the
 * CLI, the demo tenants and the operators' approval.
 */
export async function seedTenant(def: TenantDefinition, passwordHash: string | null): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const insert = async (u: UnitDefinition, parentId: string | null): Promise<void> => {
    const unit = await Unit.create({ parentId, acronym: u.acronym, name: u.name, protocolCode: u.protocolCode ?? null });
    ids.set(u.acronym, String(unit.id));
    for (const child of u.children ?? []) await insert(child, String(unit.id));
  };
  await insert(def.root, null);
  for (const u of def.users) {
    const user = await User.create({ name: u.name, email: u.email, cpf: u.cpf ?? null, passwordHash });
    for (const title of u.positions) await UserPosition.create({ userId: String(user.id), title });
    for (const m of u.units) {
      const unitId = ids.get(m.acronym);
      if (!unitId) throw new Error(`Unidade ${m.acronym} não existe na definição de ${def.slug}`);
      await UserUnit.create({ userId: String(user.id), unitId, role: m.role as Role });
    }
  }
  return ids;
}
