import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { failClosed, id } from './tenant-base';

/** Units, people, their roles per unit, and the tenant audit log. */

export type Role = 'basic' | 'admin' | 'protocol';
export const ROLES: Role[] = ['basic', 'admin', 'protocol'];

export class Unit extends Model<InferAttributes<Unit>, InferCreationAttributes<Unit>> {
  declare id: CreationOptional<string>;
  declare parentId: string | null;
  declare acronym: string;
  declare name: string;
  declare protocolCode: string | null;
  /** Postal address printed in the letterhead of the unit's documents. */
  declare address: CreationOptional<string | null>;
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

export type UserTokenPurpose = 'invite' | 'reset';

export class UserToken extends Model<InferAttributes<UserToken>, InferCreationAttributes<UserToken>> {
  declare id: CreationOptional<string>;
  declare userId: string;
  declare purpose: UserTokenPurpose;
  declare tokenHash: string;
  declare expiresAt: Date;
  declare usedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
}

export function initOrganisationModels(sequelize: Sequelize): void {
  Unit.init(
    {
      id,
      parentId: { type: DataTypes.BIGINT },
      acronym: { type: DataTypes.TEXT, allowNull: false },
      name: { type: DataTypes.TEXT, allowNull: false },
      protocolCode: { type: DataTypes.CHAR(5) },
      address: { type: DataTypes.TEXT },
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
  UserToken.init(
    {
      id,
      userId: { type: DataTypes.BIGINT, allowNull: false },
      purpose: { type: DataTypes.TEXT, allowNull: false },
      tokenHash: { type: DataTypes.TEXT, allowNull: false },
      expiresAt: { type: DataTypes.DATE, allowNull: false },
      usedAt: { type: DataTypes.DATE },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'user_tokens', updatedAt: false },
  );
  UserUnit.belongsTo(User, { foreignKey: 'userId', as: 'user' });
  UserUnit.belongsTo(Unit, { foreignKey: 'unitId', as: 'unit' });
  User.hasMany(UserUnit, { foreignKey: 'userId', as: 'memberships' });
  Unit.hasMany(UserUnit, { foreignKey: 'unitId', as: 'memberships' });
  Unit.belongsTo(Unit, { foreignKey: 'parentId', as: 'parent' });
  failClosed(Unit, User, UserUnit, TenantAuditEntry, UserToken);
}
