import { DataTypes, type Model, type ModelStatic } from 'sequelize';
import { assertTenantTransaction } from '../tenancy/context';

/**
 * Tenant tables carry no schema name: the tenant transaction's search path picks the schema.
 * Every tenant model is registered with `failClosed`, so it refuses to run outside a transaction
 * bound to the current tenant.
 */

export const id = { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true };

const FAIL_CLOSED_HOOKS = [
  'beforeFind',
  'beforeCount',
  'beforeBulkCreate',
  'beforeBulkUpdate',
  'beforeBulkDestroy',
  'beforeUpsert',
] as const;
const INSTANCE_HOOKS = ['beforeCreate', 'beforeUpdate', 'beforeDestroy', 'beforeSave'] as const;

export function failClosed(...models: ModelStatic<Model>[]): void {
  for (const model of models) {
    for (const hook of FAIL_CLOSED_HOOKS) {
      model.addHook(hook, (options: { transaction?: never }) => assertTenantTransaction(options?.transaction));
    }
    for (const hook of INSTANCE_HOOKS) {
      model.addHook(hook, (_instance: unknown, options: { transaction?: never }) => assertTenantTransaction(options?.transaction));
    }
  }
}
