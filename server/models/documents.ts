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

/** Documents inside processes, their versions, views by unit, signatures and the titles signed under. */

export type DocumentKind = 'internal' | 'external';
export type DocumentOrigin = 'nato_digital' | 'digitalizado';

export class Document extends Model<InferAttributes<Document>, InferCreationAttributes<Document>> {
  declare id: CreationOptional<string>;
  declare processId: string;
  declare number: string;
  declare kind: DocumentKind;
  declare documentTypeId: string;
  declare unitId: string;
  /** Null for a document a citizen filed (intercurrent filing): `sender` names them. */
  declare createdBy: string | null;
  declare typeNumber: number | null;
  declare typeYear: number | null;
  declare title: string;
  declare complement: string | null;
  declare accessLevel: CreationOptional<AccessLevel>;
  declare legalBasisId: string | null;
  declare bodyHtml: string | null;
  declare version: CreationOptional<number>;
  declare contentText: CreationOptional<string>;
  declare fileSha256: string | null;
  declare fileName: string | null;
  declare fileMime: string | null;
  declare fileSize: string | null;
  declare documentDate: string | null;
  declare origin: DocumentOrigin | null;
  declare sender: string | null;
  declare verificationCode: string;
  declare crc: CreationOptional<string | null>;
  declare seenByOtherUnitAt: CreationOptional<Date | null>;
  declare deletedAt: CreationOptional<Date | null>;
  declare deletedBy: CreationOptional<string | null>;
  declare cancelledAt: CreationOptional<Date | null>;
  declare cancelledBy: CreationOptional<string | null>;
  declare cancelReason: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class DocumentVersion extends Model<InferAttributes<DocumentVersion>, InferCreationAttributes<DocumentVersion>> {
  declare id: CreationOptional<string>;
  declare documentId: string;
  declare version: number;
  declare bodyHtml: string;
  declare unitId: string;
  declare createdBy: string;
  declare note: string | null;
  declare createdAt: CreationOptional<Date>;
}

export class Signature extends Model<InferAttributes<Signature>, InferCreationAttributes<Signature>> {
  declare id: CreationOptional<string>;
  declare documentId: string;
  declare userId: string;
  declare unitId: string;
  declare signerName: string;
  declare signerTitle: string;
  declare documentVersion: number;
  declare contentSha256: string;
  declare signedAt: CreationOptional<Date>;
  declare invalidatedAt: CreationOptional<Date | null>;
  declare invalidatedReason: CreationOptional<string | null>;
}

export function initDocumentModels(sequelize: Sequelize): void {
  Document.init(
    {
      id,
      processId: { type: DataTypes.BIGINT, allowNull: false },
      number: { type: DataTypes.BIGINT, allowNull: false },
      kind: { type: DataTypes.TEXT, allowNull: false },
      documentTypeId: { type: DataTypes.BIGINT, allowNull: false },
      unitId: { type: DataTypes.BIGINT, allowNull: false },
      createdBy: { type: DataTypes.BIGINT },
      typeNumber: { type: DataTypes.INTEGER },
      typeYear: { type: DataTypes.INTEGER },
      title: { type: DataTypes.TEXT, allowNull: false },
      complement: { type: DataTypes.TEXT },
      accessLevel: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'public' },
      legalBasisId: { type: DataTypes.BIGINT },
      bodyHtml: { type: DataTypes.TEXT },
      version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
      contentText: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
      fileSha256: { type: DataTypes.TEXT },
      fileName: { type: DataTypes.TEXT },
      fileMime: { type: DataTypes.TEXT },
      fileSize: { type: DataTypes.BIGINT },
      documentDate: { type: DataTypes.DATEONLY },
      origin: { type: DataTypes.TEXT },
      sender: { type: DataTypes.TEXT },
      verificationCode: { type: DataTypes.TEXT, allowNull: false },
      crc: { type: DataTypes.TEXT },
      seenByOtherUnitAt: { type: DataTypes.DATE },
      deletedAt: { type: DataTypes.DATE },
      deletedBy: { type: DataTypes.BIGINT },
      cancelledAt: { type: DataTypes.DATE },
      cancelledBy: { type: DataTypes.BIGINT },
      cancelReason: { type: DataTypes.TEXT },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'documents' },
  );
  DocumentVersion.init(
    {
      id,
      documentId: { type: DataTypes.BIGINT, allowNull: false },
      version: { type: DataTypes.INTEGER, allowNull: false },
      bodyHtml: { type: DataTypes.TEXT, allowNull: false },
      unitId: { type: DataTypes.BIGINT, allowNull: false },
      createdBy: { type: DataTypes.BIGINT, allowNull: false },
      note: { type: DataTypes.TEXT },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'document_versions', updatedAt: false },
  );
  Signature.init(
    {
      id,
      documentId: { type: DataTypes.BIGINT, allowNull: false },
      userId: { type: DataTypes.BIGINT, allowNull: false },
      unitId: { type: DataTypes.BIGINT, allowNull: false },
      signerName: { type: DataTypes.TEXT, allowNull: false },
      signerTitle: { type: DataTypes.TEXT, allowNull: false },
      documentVersion: { type: DataTypes.INTEGER, allowNull: false },
      contentSha256: { type: DataTypes.TEXT, allowNull: false },
      signedAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      invalidatedAt: { type: DataTypes.DATE },
      invalidatedReason: { type: DataTypes.TEXT },
    },
    { sequelize, tableName: 'signatures', timestamps: false },
  );
  Document.hasMany(Signature, { foreignKey: 'documentId', as: 'signatures' });
  Document.hasMany(DocumentVersion, { foreignKey: 'documentId', as: 'versions' });
  failClosed(Document, DocumentVersion, Signature);
}
