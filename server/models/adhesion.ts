import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { NumberingScheme, TenantKind } from './platform';

/** Adhesion requests (schema `platform`): the self-service onboarding of a tenant. */

const schema = 'platform';

export type AdhesionStatus = 'draft' | 'submitted' | 'provisioning' | 'provisioning_failed' | 'approved' | 'refused';

/** What the wizard collects, step by step (kept as one JSON document while it is a draft). */
export interface AdhesionData {
  ente?: { kind: TenantKind; uf: string; ibgeCode: string | null; orgName: string | null };
  organ?: { officialName: string; cnpj: string; address: string; site: string };
  manager?: { name: string; cpf: string; title: string; email: string; phone: string };
  setup?: {
    slug: string;
    numberingScheme: NumberingScheme;
    protocolCode: string;
    rootAcronym: string;
    rootName: string;
    units: { acronym: string; name: string }[];
  };
  agreement?: { acceptedName: string; acceptedAt: string; version: string };
}

export class AdhesionRequest extends Model<InferAttributes<AdhesionRequest>, InferCreationAttributes<AdhesionRequest>> {
  declare id: CreationOptional<string>;
  declare status: CreationOptional<AdhesionStatus>;
  declare completedStep: CreationOptional<number>;
  declare kind: CreationOptional<TenantKind | null>;
  declare uf: CreationOptional<string | null>;
  declare ibgeCode: CreationOptional<string | null>;
  declare enteName: CreationOptional<string | null>;
  declare enteKey: CreationOptional<string | null>;
  declare officialName: CreationOptional<string | null>;
  declare cnpj: CreationOptional<string | null>;
  declare managerName: CreationOptional<string | null>;
  declare managerEmail: CreationOptional<string | null>;
  declare emailConfirmedAt: CreationOptional<Date | null>;
  declare slug: CreationOptional<string | null>;
  declare data: CreationOptional<AdhesionData>;
  declare submittedAt: CreationOptional<Date | null>;
  declare decidedAt: CreationOptional<Date | null>;
  declare decidedBy: CreationOptional<string | null>;
  declare refusalReason: CreationOptional<string | null>;
  declare provisioningError: CreationOptional<string | null>;
  declare tenantId: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class AdhesionEvent extends Model<InferAttributes<AdhesionEvent>, InferCreationAttributes<AdhesionEvent>> {
  declare id: CreationOptional<string>;
  declare requestId: string;
  declare actorType: 'applicant' | 'operator' | 'system';
  declare actorId: string | null;
  declare action: string;
  declare details: CreationOptional<Record<string, unknown>>;
  declare createdAt: CreationOptional<Date>;
}

export type AdhesionTokenPurpose = 'resume' | 'confirm';

export class AdhesionToken extends Model<InferAttributes<AdhesionToken>, InferCreationAttributes<AdhesionToken>> {
  declare id: CreationOptional<string>;
  declare requestId: string;
  declare purpose: AdhesionTokenPurpose;
  declare tokenHash: string;
  declare email: string;
  declare expiresAt: Date;
  declare usedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
}

const id = { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true };

export function initAdhesionModels(sequelize: Sequelize): void {
  AdhesionRequest.init(
    {
      id,
      status: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'draft' },
      completedStep: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      kind: { type: DataTypes.TEXT },
      uf: { type: DataTypes.CHAR(2) },
      ibgeCode: { type: DataTypes.TEXT },
      enteName: { type: DataTypes.TEXT },
      enteKey: { type: DataTypes.TEXT },
      officialName: { type: DataTypes.TEXT },
      cnpj: { type: DataTypes.TEXT },
      managerName: { type: DataTypes.TEXT },
      managerEmail: { type: DataTypes.TEXT },
      emailConfirmedAt: { type: DataTypes.DATE },
      slug: { type: DataTypes.TEXT },
      data: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
      submittedAt: { type: DataTypes.DATE },
      decidedAt: { type: DataTypes.DATE },
      decidedBy: { type: DataTypes.BIGINT },
      refusalReason: { type: DataTypes.TEXT },
      provisioningError: { type: DataTypes.TEXT },
      tenantId: { type: DataTypes.BIGINT },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, schema, tableName: 'adhesion_requests' },
  );
  AdhesionEvent.init(
    {
      id,
      requestId: { type: DataTypes.BIGINT, allowNull: false },
      actorType: { type: DataTypes.TEXT, allowNull: false },
      actorId: { type: DataTypes.BIGINT },
      action: { type: DataTypes.TEXT, allowNull: false },
      details: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
      createdAt: DataTypes.DATE,
    },
    { sequelize, schema, tableName: 'adhesion_events', updatedAt: false },
  );
  AdhesionToken.init(
    {
      id,
      requestId: { type: DataTypes.BIGINT, allowNull: false },
      purpose: { type: DataTypes.TEXT, allowNull: false },
      tokenHash: { type: DataTypes.TEXT, allowNull: false, unique: true },
      email: { type: DataTypes.TEXT, allowNull: false },
      expiresAt: { type: DataTypes.DATE, allowNull: false },
      usedAt: { type: DataTypes.DATE },
      createdAt: DataTypes.DATE,
    },
    { sequelize, schema, tableName: 'adhesion_tokens', updatedAt: false },
  );
}
