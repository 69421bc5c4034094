import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { AccessLevel } from './catalogs';
import { failClosed, id } from './tenant-base';

/** Processes, their interessados, their state in each unit, their history and their links. */

export type Numbering = 'nup' | 'nipe' | 'informed';
export type SecrecyGrade = 'reservado' | 'secreto' | 'ultrassecreto';
export const SECRECY_GRADES: SecrecyGrade[] = ['reservado', 'secreto', 'ultrassecreto'];
export type InboxList = 'received' | 'created';

export class Process extends Model<InferAttributes<Process>, InferCreationAttributes<Process>> {
  declare id: CreationOptional<string>;
  declare number: string;
  declare numberDigits: string;
  declare numbering: Numbering;
  declare year: number;
  declare processTypeId: string;
  declare specification: string;
  declare accessLevel: AccessLevel;
  declare legalBasisId: string | null;
  declare secrecyGrade: SecrecyGrade | null;
  declare originUnitId: string;
  declare createdById: string;
  declare annexedToId: CreationOptional<string | null>;
  declare annexedAt: CreationOptional<Date | null>;
  declare suspendedAt: CreationOptional<Date | null>;
  declare suspendedReason: CreationOptional<string | null>;
  declare suspendedById: CreationOptional<string | null>;
  declare suspendedUnitId: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class Party extends Model<InferAttributes<Party>, InferCreationAttributes<Party>> {
  declare id: CreationOptional<string>;
  declare name: string;
  /** CPF (11 digits) or CNPJ (14, numeric or alphanumeric), without punctuation. */
  declare document: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class ProcessParty extends Model<InferAttributes<ProcessParty>, InferCreationAttributes<ProcessParty>> {
  declare processId: string;
  declare partyId: string;
  declare position: number;
}

/** The state of a process in one unit it has passed through. */
export class ProcessUnit extends Model<InferAttributes<ProcessUnit>, InferCreationAttributes<ProcessUnit>> {
  declare processId: string;
  declare unitId: string;
  declare list: InboxList;
  declare open: CreationOptional<boolean>;
  declare unread: CreationOptional<boolean>;
  declare arrivedAt: CreationOptional<Date>;
  declare sentFromUnitId: string | null;
  declare receivedAt: CreationOptional<Date | null>;
  declare receivedById: CreationOptional<string | null>;
  declare assignedUserId: CreationOptional<string | null>;
  /** Retorno programado, a calendar date (YYYY-MM-DD). */
  declare expectedReturn: CreationOptional<string | null>;
  declare concludedAt: CreationOptional<Date | null>;
  declare concludedById: CreationOptional<string | null>;
}

/** Andamento: an immutable history line (the table refuses UPDATE and DELETE). */
export class ProcessEvent extends Model<InferAttributes<ProcessEvent>, InferCreationAttributes<ProcessEvent>> {
  declare id: CreationOptional<string>;
  declare processId: string;
  declare unitId: string;
  declare userId: string | null;
  declare kind: string;
  declare description: string;
  /** Shown in the "resumido" history as well as the "completo" one. */
  declare summary: CreationOptional<boolean>;
  declare details: CreationOptional<Record<string, unknown> | null>;
  declare createdAt: CreationOptional<Date>;
}

export class ProcessRelation extends Model<InferAttributes<ProcessRelation>, InferCreationAttributes<ProcessRelation>> {
  declare id: CreationOptional<string>;
  /** The lower id of the pair. */
  declare processId: string;
  declare relatedProcessId: string;
  declare createdById: string;
  declare createdAt: CreationOptional<Date>;
}

export class AccessCredential extends Model<InferAttributes<AccessCredential>, InferCreationAttributes<AccessCredential>> {
  declare id: CreationOptional<string>;
  declare processId: string;
  declare userId: string;
  declare grantedById: string | null;
  declare grantedAt: CreationOptional<Date>;
  declare revokedAt: CreationOptional<Date | null>;
  declare revokedById: CreationOptional<string | null>;
}

export function initProcessModels(sequelize: Sequelize): void {
  Process.init(
    {
      id,
      number: { type: DataTypes.TEXT, allowNull: false },
      numberDigits: { type: DataTypes.TEXT, allowNull: false },
      numbering: { type: DataTypes.TEXT, allowNull: false },
      year: { type: DataTypes.INTEGER, allowNull: false },
      processTypeId: { type: DataTypes.BIGINT, allowNull: false },
      specification: { type: DataTypes.TEXT, allowNull: false },
      accessLevel: { type: DataTypes.TEXT, allowNull: false },
      legalBasisId: { type: DataTypes.BIGINT },
      secrecyGrade: { type: DataTypes.TEXT },
      originUnitId: { type: DataTypes.BIGINT, allowNull: false },
      createdById: { type: DataTypes.BIGINT, allowNull: false },
      annexedToId: { type: DataTypes.BIGINT },
      annexedAt: { type: DataTypes.DATE },
      suspendedAt: { type: DataTypes.DATE },
      suspendedReason: { type: DataTypes.TEXT },
      suspendedById: { type: DataTypes.BIGINT },
      suspendedUnitId: { type: DataTypes.BIGINT },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'processes' },
  );
  Party.init(
    {
      id,
      name: { type: DataTypes.TEXT, allowNull: false },
      document: { type: DataTypes.TEXT },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'parties' },
  );
  ProcessParty.init(
    {
      processId: { type: DataTypes.BIGINT, primaryKey: true },
      partyId: { type: DataTypes.BIGINT, primaryKey: true },
      position: { type: DataTypes.INTEGER, allowNull: false },
    },
    { sequelize, tableName: 'process_parties', timestamps: false },
  );
  ProcessUnit.init(
    {
      processId: { type: DataTypes.BIGINT, primaryKey: true },
      unitId: { type: DataTypes.BIGINT, primaryKey: true },
      list: { type: DataTypes.TEXT, allowNull: false },
      open: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      unread: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      arrivedAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      sentFromUnitId: { type: DataTypes.BIGINT },
      receivedAt: { type: DataTypes.DATE },
      receivedById: { type: DataTypes.BIGINT },
      assignedUserId: { type: DataTypes.BIGINT },
      expectedReturn: { type: DataTypes.DATEONLY },
      concludedAt: { type: DataTypes.DATE },
      concludedById: { type: DataTypes.BIGINT },
    },
    { sequelize, tableName: 'process_units', timestamps: false },
  );
  ProcessEvent.init(
    {
      id,
      processId: { type: DataTypes.BIGINT, allowNull: false },
      unitId: { type: DataTypes.BIGINT, allowNull: false },
      userId: { type: DataTypes.BIGINT },
      kind: { type: DataTypes.TEXT, allowNull: false },
      description: { type: DataTypes.TEXT, allowNull: false },
      summary: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      details: { type: DataTypes.JSONB },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'process_events', updatedAt: false },
  );
  ProcessRelation.init(
    {
      id,
      processId: { type: DataTypes.BIGINT, allowNull: false },
      relatedProcessId: { type: DataTypes.BIGINT, allowNull: false },
      createdById: { type: DataTypes.BIGINT, allowNull: false },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'process_relations', updatedAt: false },
  );
  AccessCredential.init(
    {
      id,
      processId: { type: DataTypes.BIGINT, allowNull: false },
      userId: { type: DataTypes.BIGINT, allowNull: false },
      grantedById: { type: DataTypes.BIGINT },
      grantedAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      revokedAt: { type: DataTypes.DATE },
      revokedById: { type: DataTypes.BIGINT },
    },
    { sequelize, tableName: 'access_credentials', timestamps: false },
  );
  Process.hasMany(ProcessParty, { foreignKey: 'processId', as: 'processParties' });
  ProcessParty.belongsTo(Party, { foreignKey: 'partyId', as: 'party' });
  Process.hasMany(ProcessUnit, { foreignKey: 'processId', as: 'units' });
  Process.hasMany(ProcessEvent, { foreignKey: 'processId', as: 'events' });
  failClosed(Process, Party, ProcessParty, ProcessUnit, ProcessEvent, ProcessRelation, AccessCredential);
}
