import { QueryTypes } from 'sequelize';
import { ProcessType, Unit, User } from '../../server/models';
import { createProcess, type NewProcessInput } from '../../server/processes/create';
import type { Actor } from '../../server/processes/events';
import { inTenant, runWithTenant } from '../../server/tenancy/context';
import { testEnv } from './environment';
import type { TestTenant } from './tenants';

/** Ids of a test tenant's units (by acronym), users (by e-mail) and process types (by name). */
export interface TenantIds {
  units: Record<string, string>;
  users: Record<string, string>;
  types: Record<string, string>;
}

export async function idsOf(t: TestTenant): Promise<TenantIds> {
  return runWithTenant(t.tenant, () =>
    inTenant(async () => {
      const units = await Unit.findAll();
      const users = await User.findAll();
      const types = await ProcessType.findAll();
      return {
        units: Object.fromEntries(units.map((u) => [u.acronym, String(u.id)])),
        users: Object.fromEntries(users.map((u) => [u.email, String(u.id)])),
        types: Object.fromEntries(types.map((p) => [p.name, String(p.id)])),
      };
    }),
  );
}

/** A public process of "Licitação: pregão eletrônico" by default, with overrides. */
export function processInput(ids: TenantIds, overrides: Partial<NewProcessInput> = {}): NewProcessInput {
  return {
    processTypeId: ids.types['Licitação: pregão eletrônico'],
    specification: 'Aquisição de material de escritório',
    parties: [{ name: 'Papelaria Central Ltda' }],
    accessLevel: 'public',
    ...overrides,
  };
}

export async function createProcessAs(t: TestTenant, actor: Actor, input: NewProcessInput): Promise<{ id: string; number: string }> {
  return runWithTenant(t.tenant, () => createProcess(input, actor, 'nup'));
}

/** A read of the platform schema (no tenant), for tests that check the platform's rows. */
export async function platformQuery<T extends object>(sql: string, bind: unknown[] = []): Promise<T[]> {
  return testEnv().sequelize.query<T>(sql, { bind, type: QueryTypes.SELECT });
}

export async function tenantQuery<T extends object>(t: TestTenant, sql: string, bind: unknown[] = []): Promise<T[]> {
  return runWithTenant(t.tenant, () =>
    inTenant((tx) => testEnv().sequelize.query<T>(sql, { bind, transaction: tx, type: QueryTypes.SELECT })),
  );
}
