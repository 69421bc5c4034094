import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

const schema = 'platform';

export type TenantKind = 'municipio' | 'estado' | 'orgao';
export type TenantStatus = 'active' | 'suspended' | 'spare' | 'closed';
export type NumberingScheme = 'nup' | 'nipe';

export class Tenant extends Model<InferAttributes<Tenant>, InferCreationAttributes<Tenant>> {
  declare id: CreationOptional<string>;
  /** Null only for a spare schema not yet given to a government. */
  declare slug: string | null;
  declare name: string;
  declare kind: TenantKind;
  declare uf: string;
  declare ibgeCode: string | null;
  declare status: CreationOptional<TenantStatus>;
  declare statusReason: CreationOptional<string | null>;
  declare numberingScheme: CreationOptional<NumberingScheme>;
  declare schemaVersion: CreationOptional<string | null>;
  declare migrationStatus: CreationOptional<'ok' | 'failed' | null>;
  declare migrationError: CreationOptional<string | null>;
  declare migratedAt: CreationOptional<Date | null>;
  /** When the tenant went into service (null for a spare schema). */
  declare openedAt: CreationOptional<Date | null>;
  /** The article of its name when an operator set one; null: derived (server/tenancy/grammar.ts). */
  declare article: CreationOptional<'a' | 'o' | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class TenantDomain extends Model<InferAttributes<TenantDomain>, InferCreationAttributes<TenantDomain>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare domain: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class Operator extends Model<InferAttributes<Operator>, InferCreationAttributes<Operator>> {
  declare id: CreationOptional<string>;
  declare name: string;
  declare email: string;
  declare passwordHash: string;
  /** Matched against gov.br's `sub` claim; null until recorded. */
  declare cpf: CreationOptional<string | null>;
  declare active: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export type OutboxStatus = 'pending' | 'sent' | 'failed';

export class OutboxMessage extends Model<InferAttributes<OutboxMessage>, InferCreationAttributes<OutboxMessage>> {
  declare id: CreationOptional<string>;
  declare tenantId: string | null;
  declare template: string;
  declare toAddress: string;
  declare subject: string;
  declare html: string;
  declare text: string;
  declare status: CreationOptional<OutboxStatus>;
  declare attempts: CreationOptional<number>;
  declare nextAttemptAt: CreationOptional<Date>;
  declare lockedUntil: CreationOptional<Date | null>;
  declare lastError: CreationOptional<string | null>;
  declare sentAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class PlatformAuditEntry extends Model<
  InferAttributes<PlatformAuditEntry>,
  InferCreationAttributes<PlatformAuditEntry>
> {
  declare id: CreationOptional<string>;
  declare actorType: 'operator' | 'system' | 'applicant';
  declare actorId: string | null;
  declare tenantId: string | null;
  declare action: string;
  declare details: CreationOptional<Record<string, unknown>>;
  declare ip: string | null;
  declare requestId: string | null;
  declare createdAt: CreationOptional<Date>;
}

const id = { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true };

export function initPlatformModels(sequelize: Sequelize): void {
  Tenant.init(
    {
      id,
      slug: { type: DataTypes.TEXT, unique: true },
      name: { type: DataTypes.TEXT, allowNull: false },
      kind: { type: DataTypes.TEXT, allowNull: false },
      uf: { type: DataTypes.CHAR(2), allowNull: false },
      ibgeCode: { type: DataTypes.TEXT },
      status: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'active' },
      statusReason: { type: DataTypes.TEXT },
      numberingScheme: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'nup' },
      schemaVersion: { type: DataTypes.TEXT },
      migrationStatus: { type: DataTypes.TEXT },
      migrationError: { type: DataTypes.TEXT },
      migratedAt: { type: DataTypes.DATE },
      openedAt: { type: DataTypes.DATE },
      article: { type: DataTypes.TEXT },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, schema, tableName: 'tenants' },
  );
  TenantDomain.init(
    {
      id,
      tenantId: { type: DataTypes.BIGINT, allowNull: false },
      domain: { type: DataTypes.TEXT, allowNull: false, unique: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, schema, tableName: 'tenant_domains' },
  );
  Operator.init(
    {
      id,
      name: { type: DataTypes.TEXT, allowNull: false },
      email: { type: DataTypes.TEXT, allowNull: false, unique: true },
      passwordHash: { type: DataTypes.TEXT, allowNull: false },
      cpf: { type: DataTypes.CHAR(11) },
      active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, schema, tableName: 'operators' },
  );
  OutboxMessage.init(
    {
      id,
      tenantId: { type: DataTypes.BIGINT },
      template: { type: DataTypes.TEXT, allowNull: false },
      toAddress: { type: DataTypes.TEXT, allowNull: false },
      subject: { type: DataTypes.TEXT, allowNull: false },
      html: { type: DataTypes.TEXT, allowNull: false },
      text: { type: DataTypes.TEXT, allowNull: false },
      status: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'pending' },
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      nextAttemptAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      lockedUntil: { type: DataTypes.DATE },
      lastError: { type: DataTypes.TEXT },
      sentAt: { type: DataTypes.DATE },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, schema, tableName: 'outbox' },
  );
  PlatformAuditEntry.init(
    {
      id,
      actorType: { type: DataTypes.TEXT, allowNull: false },
      actorId: { type: DataTypes.TEXT },
      tenantId: { type: DataTypes.BIGINT },
      action: { type: DataTypes.TEXT, allowNull: false },
      details: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
      ip: { type: DataTypes.TEXT },
      requestId: { type: DataTypes.TEXT },
      createdAt: DataTypes.DATE,
    },
    { sequelize, schema, tableName: 'audit_log', updatedAt: false },
  );
}
