import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { failClosed, id } from './tenant-base';

/** Catalogs kept by a tenant's administrators: legal bases, process types, document types. */

export type AccessLevel = 'public' | 'restricted' | 'secret';
export const ACCESS_LEVELS: AccessLevel[] = ['public', 'restricted', 'secret'];

export class LegalBasis extends Model<InferAttributes<LegalBasis>, InferCreationAttributes<LegalBasis>> {
  declare id: CreationOptional<string>;
  declare name: string;
  declare basis: string;
  declare active: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class ProcessType extends Model<InferAttributes<ProcessType>, InferCreationAttributes<ProcessType>> {
  declare id: CreationOptional<string>;
  declare name: string;
  declare description: string | null;
  declare allowedAccessLevels: CreationOptional<AccessLevel[]>;
  declare defaultAccessLevel: CreationOptional<AccessLevel>;
  declare defaultLegalBasisId: string | null;
  declare active: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export type DocumentUsage = 'internal' | 'external' | 'both';

export class DocumentType extends Model<InferAttributes<DocumentType>, InferCreationAttributes<DocumentType>> {
  declare id: CreationOptional<string>;
  declare name: string;
  declare usage: CreationOptional<DocumentUsage>;
  declare numbered: CreationOptional<boolean>;
  declare numberFormat: string | null;
  declare template: string | null;
  declare active: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initCatalogModels(sequelize: Sequelize): void {
  LegalBasis.init(
    {
      id,
      name: { type: DataTypes.TEXT, allowNull: false },
      basis: { type: DataTypes.TEXT, allowNull: false },
      active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'legal_bases' },
  );
  ProcessType.init(
    {
      id,
      name: { type: DataTypes.TEXT, allowNull: false },
      description: { type: DataTypes.TEXT },
      allowedAccessLevels: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: false, defaultValue: ACCESS_LEVELS },
      defaultAccessLevel: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'public' },
      defaultLegalBasisId: { type: DataTypes.BIGINT },
      active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'process_types' },
  );
  DocumentType.init(
    {
      id,
      name: { type: DataTypes.TEXT, allowNull: false },
      usage: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'both' },
      numbered: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      numberFormat: { type: DataTypes.TEXT },
      template: { type: DataTypes.TEXT },
      active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'document_types' },
  );
  ProcessType.belongsTo(LegalBasis, { foreignKey: 'defaultLegalBasisId', as: 'defaultLegalBasis' });
  failClosed(LegalBasis, ProcessType, DocumentType);
}
