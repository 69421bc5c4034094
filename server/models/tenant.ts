import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type ModelStatic,
  type Sequelize,
} from 'sequelize';
import { assertTenantTransaction } from '../tenancy/context';

/** Tables of a tenant schema. They carry no schema name: the tenant transaction's search path picks it. */

export type Role = 'basic' | 'admin' | 'protocol';
export const ROLES: Role[] = ['basic', 'admin', 'protocol'];

export class Unit extends Model<InferAttributes<Unit>, InferCreationAttributes<Unit>> {
  declare id: CreationOptional<string>;
  declare parentId: string | null;
  declare acronym: string;
  declare name: string;
  declare protocolCode: string | null;
  declare active: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<string>;
  declare name: string;
  declare email: string;
  declare cpf: string | null;
  declare passwordHash: string | null;
  declare active: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class UserUnit extends Model<InferAttributes<UserUnit>, InferCreationAttributes<UserUnit>> {
  declare id: CreationOptional<string>;
  declare userId: string;
  declare unitId: string;
  declare role: Role;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class TenantAuditEntry extends Model<InferAttributes<TenantAuditEntry>, InferCreationAttributes<TenantAuditEntry>> {
  declare id: CreationOptional<string>;
  declare userId: string | null;
  declare action: string;
  declare entity: string;
  declare entityId: string | null;
  declare before: Record<string, unknown> | null;
  declare after: Record<string, unknown> | null;
  declare ip: string | null;
  declare requestId: string | null;
  declare createdAt: CreationOptional<Date>;
}

const id = { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true };

const FAIL_CLOSED_HOOKS = [
  'beforeFind',
  'beforeCount',
  'beforeBulkCreate',
  'beforeBulkUpdate',
  'beforeBulkDestroy',
  'beforeUpsert',
] as const;
const INSTANCE_HOOKS = ['beforeCreate', 'beforeUpdate', 'beforeDestroy', 'beforeSave'] as const;

/** Every tenant model refuses to run outside a transaction bound to the current tenant. */
function failClosed(model: ModelStatic<Model>): void {
  for (const hook of FAIL_CLOSED_HOOKS) {
    model.addHook(hook, (options: { transaction?: never }) => assertTenantTransaction(options?.transaction));
  }
  for (const hook of INSTANCE_HOOKS) {
    model.addHook(hook, (_instance: unknown, options: { transaction?: never }) =>
      assertTenantTransaction(options?.transaction),
    );
  }
}

export const tenantModels: ModelStatic<Model>[] = [Unit, User, UserUnit, TenantAuditEntry];

export function initTenantModels(sequelize: Sequelize): void {
  Unit.init(
    {
      id,
      parentId: { type: DataTypes.BIGINT },
      acronym: { type: DataTypes.TEXT, allowNull: false },
      name: { type: DataTypes.TEXT, allowNull: false },
      protocolCode: { type: DataTypes.CHAR(5) },
      active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'units' },
  );
  User.init(
    {
      id,
      name: { type: DataTypes.TEXT, allowNull: false },
      email: { type: DataTypes.TEXT, allowNull: false },
      cpf: { type: DataTypes.CHAR(11) },
      passwordHash: { type: DataTypes.TEXT },
      active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'users' },
  );
  UserUnit.init(
    {
      id,
      userId: { type: DataTypes.BIGINT, allowNull: false },
      unitId: { type: DataTypes.BIGINT, allowNull: false },
      role: { type: DataTypes.TEXT, allowNull: false },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'user_units' },
  );
  TenantAuditEntry.init(
    {
      id,
      userId: { type: DataTypes.BIGINT },
      action: { type: DataTypes.TEXT, allowNull: false },
      entity: { type: DataTypes.TEXT, allowNull: false },
      entityId: { type: DataTypes.TEXT },
      before: { type: DataTypes.JSONB },
      after: { type: DataTypes.JSONB },
      ip: { type: DataTypes.TEXT },
      requestId: { type: DataTypes.TEXT },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'audit_log', updatedAt: false },
  );
  UserUnit.belongsTo(User, { foreignKey: 'userId', as: 'user' });
  UserUnit.belongsTo(Unit, { foreignKey: 'unitId', as: 'unit' });
  User.hasMany(UserUnit, { foreignKey: 'userId', as: 'memberships' });
  Unit.hasMany(UserUnit, { foreignKey: 'unitId', as: 'memberships' });
  Unit.belongsTo(Unit, { foreignKey: 'parentId', as: 'parent' });
  for (const m of tenantModels) failClosed(m);
}
