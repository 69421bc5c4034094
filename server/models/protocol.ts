import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { failClosed, id } from './tenant-base';

/** Citizens' Protocolo: services, identifications, requests and what hangs from them (migration 0500). */

export type FieldKind = 'text' | 'longText' | 'date' | 'number' | 'document' | 'choice';
export const FIELD_KINDS: FieldKind[] = ['text', 'longText', 'date', 'number', 'document', 'choice'];

export interface ServiceField {
  key: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  options: string[];
}

export interface ServiceAttachment {
  key: string;
  name: string;
  /** Extensions of server/documents/upload.ts ACCEPTED_TYPES. */
  types: string[];
  maxBytes: number;
  required: boolean;
}

/** One answered field of a request, with the field's label and kind as they were when it was filed. */
export interface RequestAnswer {
  key: string;
  label: string;
  kind: FieldKind;
  value: string;
}

export type ServiceStatus = 'draft' | 'published' | 'withdrawn';
export type CitizenRequestStatus = 'draft' | 'received' | 'in_review' | 'awaiting_amendment' | 'converted' | 'answered' | 'archived' | 'cancelled';

export class CitizenService extends Model<InferAttributes<CitizenService>, InferCreationAttributes<CitizenService>> {
  declare id: CreationOptional<string>;
  declare name: string;
  declare guidanceHtml: CreationOptional<string>;
  declare fields: CreationOptional<ServiceField[]>;
  declare attachments: CreationOptional<ServiceAttachment[]>;
  declare receivingUnitId: string;
  declare processTypeId: string;
  declare accessLevel: CreationOptional<'public' | 'restricted'>;
  declare legalBasisId: string | null;
  /** The lowest gov.br trust level a citizen must have to file (null: any identification). */
  declare minTrustLevel: CreationOptional<'prata' | 'ouro' | null>;
  declare status: CreationOptional<ServiceStatus>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class CitizenIdentification extends Model<InferAttributes<CitizenIdentification>, InferCreationAttributes<CitizenIdentification>> {
  declare id: CreationOptional<string>;
  declare serviceId: string;
  declare name: string;
  declare cpf: string;
  declare email: string;
  declare tokenHash: string;
  declare expiresAt: Date;
  declare confirmedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
}

export class CitizenRequest extends Model<InferAttributes<CitizenRequest>, InferCreationAttributes<CitizenRequest>> {
  declare id: CreationOptional<string>;
  declare serviceId: string;
  declare receivingUnitId: string;
  declare status: CreationOptional<CitizenRequestStatus>;
  declare number: CreationOptional<string | null>;
  declare citizenName: string;
  declare citizenCpf: string;
  declare citizenEmail: string;
  declare identifiedBy: 'email' | 'govbr';
  /** The gov.br account's trust level when filed through gov.br (null for e-mail). */
  declare trustLevel: CreationOptional<'bronze' | 'prata' | 'ouro' | null>;
  declare answers: CreationOptional<RequestAnswer[]>;
  declare accessCodeHash: CreationOptional<string | null>;
  declare receiptSha256: CreationOptional<string | null>;
  declare processId: CreationOptional<string | null>;
  declare answerText: CreationOptional<string | null>;
  declare unread: CreationOptional<boolean>;
  declare submittedAt: CreationOptional<Date | null>;
  declare submittedIp: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class CitizenRequestFile extends Model<InferAttributes<CitizenRequestFile>, InferCreationAttributes<CitizenRequestFile>> {
  declare id: CreationOptional<string>;
  declare requestId: string;
  declare attachmentKey: string;
  declare attachmentName: string;
  declare fileName: string;
  declare mime: string;
  declare size: string;
  declare sha256: string;
  declare amendmentId: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
}

export class CitizenRequestAmendment extends Model<InferAttributes<CitizenRequestAmendment>, InferCreationAttributes<CitizenRequestAmendment>> {
  declare id: CreationOptional<string>;
  declare requestId: string;
  declare message: string;
  declare deadlineAt: Date;
  declare tokenHash: string;
  declare status: CreationOptional<'open' | 'fulfilled' | 'expired'>;
  declare requestedBy: string | null;
  declare answeredAt: CreationOptional<Date | null>;
  declare answerText: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
}

export class CitizenRequestEvent extends Model<InferAttributes<CitizenRequestEvent>, InferCreationAttributes<CitizenRequestEvent>> {
  declare id: CreationOptional<string>;
  declare requestId: string;
  declare kind: string;
  declare description: string;
  declare userId: string | null;
  declare createdAt: CreationOptional<Date>;
}

export type IntimationStatus = 'pending' | 'read' | 'tacit' | 'responded';

/** An answer or decision the citizen must acknowledge (ciência), with its stored deadline (migration 0802). */
export class CitizenIntimation extends Model<InferAttributes<CitizenIntimation>, InferCreationAttributes<CitizenIntimation>> {
  declare id: CreationOptional<string>;
  declare requestId: string;
  declare processId: string | null;
  declare unitId: string;
  declare kind: 'answer' | 'decision';
  declare body: string;
  declare sentAt: Date;
  declare sentBy: string | null;
  declare tacitDays: number;
  /** The last day of the tacit period ('YYYY-MM-DD', Brasília). */
  declare deadlineDay: string;
  /** The instant that day ends: from then on, ciência tácita. */
  declare deadlineAt: Date;
  declare status: CreationOptional<IntimationStatus>;
  declare acknowledgedAt: CreationOptional<Date | null>;
  declare acknowledgedHow: CreationOptional<'consulta' | 'decurso' | null>;
  declare acknowledgedIp: CreationOptional<string | null>;
  declare respondedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
}

export class CitizenIntimationFile extends Model<InferAttributes<CitizenIntimationFile>, InferCreationAttributes<CitizenIntimationFile>> {
  declare id: CreationOptional<string>;
  declare intimationId: string;
  declare fileName: string;
  declare mime: string;
  declare size: string;
  declare sha256: string;
  declare createdAt: CreationOptional<Date>;
}

export function initProtocolModels(sequelize: Sequelize): void {
  CitizenService.init(
    {
      id,
      name: { type: DataTypes.TEXT, allowNull: false },
      guidanceHtml: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
      fields: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
      attachments: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
      receivingUnitId: { type: DataTypes.BIGINT, allowNull: false },
      processTypeId: { type: DataTypes.BIGINT, allowNull: false },
      accessLevel: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'restricted' },
      legalBasisId: { type: DataTypes.BIGINT },
      minTrustLevel: { type: DataTypes.TEXT },
      status: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'draft' },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'citizen_services' },
  );
  CitizenIdentification.init(
    {
      id,
      serviceId: { type: DataTypes.BIGINT, allowNull: false },
      name: { type: DataTypes.TEXT, allowNull: false },
      cpf: { type: DataTypes.CHAR(11), allowNull: false },
      email: { type: DataTypes.TEXT, allowNull: false },
      tokenHash: { type: DataTypes.TEXT, allowNull: false },
      expiresAt: { type: DataTypes.DATE, allowNull: false },
      confirmedAt: { type: DataTypes.DATE },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'citizen_identifications', updatedAt: false },
  );
  CitizenRequest.init(
    {
      id,
      serviceId: { type: DataTypes.BIGINT, allowNull: false },
      receivingUnitId: { type: DataTypes.BIGINT, allowNull: false },
      status: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'draft' },
      number: { type: DataTypes.TEXT },
      citizenName: { type: DataTypes.TEXT, allowNull: false },
      citizenCpf: { type: DataTypes.CHAR(11), allowNull: false },
      citizenEmail: { type: DataTypes.TEXT, allowNull: false },
      identifiedBy: { type: DataTypes.TEXT, allowNull: false },
      trustLevel: { type: DataTypes.TEXT },
      answers: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
      accessCodeHash: { type: DataTypes.TEXT },
      receiptSha256: { type: DataTypes.TEXT },
      processId: { type: DataTypes.BIGINT },
      answerText: { type: DataTypes.TEXT },
      unread: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      submittedAt: { type: DataTypes.DATE },
      submittedIp: { type: DataTypes.TEXT },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'citizen_requests' },
  );
  CitizenRequestFile.init(
    {
      id,
      requestId: { type: DataTypes.BIGINT, allowNull: false },
      attachmentKey: { type: DataTypes.TEXT, allowNull: false },
      attachmentName: { type: DataTypes.TEXT, allowNull: false },
      fileName: { type: DataTypes.TEXT, allowNull: false },
      mime: { type: DataTypes.TEXT, allowNull: false },
      size: { type: DataTypes.BIGINT, allowNull: false },
      sha256: { type: DataTypes.TEXT, allowNull: false },
      amendmentId: { type: DataTypes.BIGINT },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'citizen_request_files', updatedAt: false },
  );
  CitizenRequestAmendment.init(
    {
      id,
      requestId: { type: DataTypes.BIGINT, allowNull: false },
      message: { type: DataTypes.TEXT, allowNull: false },
      deadlineAt: { type: DataTypes.DATE, allowNull: false },
      tokenHash: { type: DataTypes.TEXT, allowNull: false },
      status: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'open' },
      requestedBy: { type: DataTypes.BIGINT },
      answeredAt: { type: DataTypes.DATE },
      answerText: { type: DataTypes.TEXT },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'citizen_request_amendments', updatedAt: false },
  );
  CitizenRequestEvent.init(
    {
      id,
      requestId: { type: DataTypes.BIGINT, allowNull: false },
      kind: { type: DataTypes.TEXT, allowNull: false },
      description: { type: DataTypes.TEXT, allowNull: false },
      userId: { type: DataTypes.BIGINT },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'citizen_request_events', updatedAt: false },
  );
  CitizenIntimation.init(
    {
      id,
      requestId: { type: DataTypes.BIGINT, allowNull: false },
      processId: { type: DataTypes.BIGINT },
      unitId: { type: DataTypes.BIGINT, allowNull: false },
      kind: { type: DataTypes.TEXT, allowNull: false },
      body: { type: DataTypes.TEXT, allowNull: false },
      sentAt: { type: DataTypes.DATE, allowNull: false },
      sentBy: { type: DataTypes.BIGINT },
      tacitDays: { type: DataTypes.INTEGER, allowNull: false },
      deadlineDay: { type: DataTypes.DATEONLY, allowNull: false },
      deadlineAt: { type: DataTypes.DATE, allowNull: false },
      status: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'pending' },
      acknowledgedAt: { type: DataTypes.DATE },
      acknowledgedHow: { type: DataTypes.TEXT },
      acknowledgedIp: { type: DataTypes.TEXT },
      respondedAt: { type: DataTypes.DATE },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'citizen_intimations', updatedAt: false },
  );
  CitizenIntimationFile.init(
    {
      id,
      intimationId: { type: DataTypes.BIGINT, allowNull: false },
      fileName: { type: DataTypes.TEXT, allowNull: false },
      mime: { type: DataTypes.TEXT, allowNull: false },
      size: { type: DataTypes.BIGINT, allowNull: false },
      sha256: { type: DataTypes.TEXT, allowNull: false },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'citizen_intimation_files', updatedAt: false },
  );
  failClosed(CitizenService, CitizenIdentification, CitizenRequest, CitizenRequestFile, CitizenRequestAmendment, CitizenRequestEvent, CitizenIntimation, CitizenIntimationFile);
}
