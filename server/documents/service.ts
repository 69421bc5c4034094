import { ID_PATTERN } from './ids';
import type { Transaction } from 'sequelize';
import { ConflictError, NotFoundError, PermissionDeniedError, ValidationError } from '../errors';
import { Document, DocumentType, DocumentVersion, LegalBasis, Process, Signature, UserPosition, Unit, type AccessLevel, type DocumentOrigin } from '../models';
import { inTenant, requireTenant } from '../tenancy/context';
import { readableProcess, type ProcessFacts } from '../processes/access';
import { transitBlocker } from '../processes/rules';
import type { Actor } from '../web/actor';
import { recordDocumentEvent } from './history';
import { numberingYear } from '../processes/numbering';
import { formatTypeNumber, nextDocumentNumber, nextTypeNumber } from './numbering';
import { extractPdfText } from './pdfText';
import { htmlToText, sanitizeDocumentHtml } from './sanitize';
import { storeFile } from './storage';
import { chunkedFileStream, fileContentReader } from './chunks';
import type { FileDownload } from './download';
import { detectAcceptedType } from './upload';
import { newVerificationCode } from '../signatures/codes';
import { preparedSelect, select } from '../db/sql';
import { letterheadOf, type Letterhead } from '../letterhead/service';
import { documentTypeOptions, legalBasisOptions } from '../catalogs/service';

export const MAX_BODY_CHARS = 2_000_000;
export interface AccessChoice {
  accessLevel: AccessLevel;
  legalBasisId: string | null;
}

async function checkAccessChoice(t: Transaction, choice: AccessChoice): Promise<void> {
  if (choice.accessLevel === 'public') {
    choice.legalBasisId = null;
    return;
  }
  const basis = choice.legalBasisId ? await LegalBasis.findOne({ where: { id: choice.legalBasisId, active: true }, transaction: t }) : null;
  if (!basis) throw new ValidationError('Informe a hipótese legal.', { legalBasisId: 'Documentos restritos ou sigilosos exigem uma hipótese legal.' });
}

async function documentTypeFor(t: Transaction, id: string, usage: 'internal' | 'external'): Promise<DocumentType> {
  const type = ID_PATTERN.test(id) ? await DocumentType.findOne({ where: { id, active: true }, transaction: t }) : null;
  if (!type || (type.usage !== 'both' && type.usage !== usage)) {
    throw new ValidationError('Escolha o tipo de documento.', { documentTypeId: 'Escolha um tipo de documento da lista.' });
  }
  return type;
}

async function uniqueVerificationCode(t: Transaction): Promise<string> {
  for (;;) {
    const code = newVerificationCode();
    const taken = await select(t, 'SELECT 1 FROM documents WHERE verification_code = $1', [code]);
    if (!taken.length) return code;
  }
}

/** Numbers a new document: tenant-wide always, per type/unit/year for numbered types. */
async function numberFor(t: Transaction, type: DocumentType, actor: Actor): Promise<{ number: number; typeNumber: number | null; typeYear: number | null; title: string }> {
  const number = await nextDocumentNumber(t);
  if (!type.numbered || !type.numberFormat) return { number, typeNumber: null, typeYear: null, title: type.name };
  const year = numberingYear();
  const typeNumber = await nextTypeNumber(t, String(type.id), actor.unitId, year);
  return { number, typeNumber, typeYear: year, title: formatTypeNumber(type.numberFormat, typeNumber, year, actor.unitAcronym) };
}

/** What every new document records: its process, numbers and title, author and unit, type and access. */
function newDocumentFields(
  processId: string,
  kind: 'internal' | 'external',
  type: DocumentType,
  actor: Actor,
  numbering: Awaited<ReturnType<typeof numberFor>>,
  input: InternalInput,
) {
  return {
    processId,
    number: String(numbering.number),
    kind,
    documentTypeId: String(type.id),
    unitId: actor.unitId,
    createdBy: actor.userId,
    typeNumber: numbering.typeNumber,
    typeYear: numbering.typeYear,
    title: numbering.title,
    complement: input.complement,
    accessLevel: input.accessLevel,
    legalBasisId: input.legalBasisId,
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const LONG_DATE = new Intl.DateTimeFormat('pt-BR', { timeZone: 'America/Sao_Paulo', day: 'numeric', month: 'long', year: 'numeric' });

/**
 * The type's template with its placeholders filled (values HTML-escaped), before sanitising. An
 * empty paragraph becomes the editor's blank line (`<p><br></p>`): the editor drops a bare `<p></p>`,
 * and text typed at the end would run into the template's last line.
 */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template
    .replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => (key in values ? escapeHtml(values[key]) : whole))
    .replace(/<p>\s*<\/p>/g, '<p><br></p>');
}

async function templateValues(t: Transaction, actor: Actor, process: ProcessFacts): Promise<Record<string, string>> {
  const unit = await Unit.findByPk(actor.unitId, { transaction: t });
  const title = await UserPosition.findOne({ where: { userId: actor.userId, active: true }, order: [['id', 'ASC']], transaction: t });
  return {
    processo: process.number,
    data: LONG_DATE.format(new Date()),
    especificacao: process.specification,
    interessados: process.parties.join(', '),
    cidade: requireTenant().name,
    destino: '',
    cargo: title?.title ?? '',
    unidade: unit ? `${unit.name} (${unit.acronym})` : actor.unitAcronym,
  };
}

/**
 * The process a document is being added to, and the access a new document starts with: its
 * process's level and legal basis (a document less restricted than its process would show a level
 * that does not hold — the process's level governs all its content).
 */
/** The process as the actor may read it (fails as the access predicate does). */
export async function readableProcessFor(actor: Actor, processId: string): Promise<ProcessFacts> {
  return inTenant((t) => readableProcess(t, actor, processId));
}

/** The choices of the new-document forms: the types usable so, the legal bases. */
export async function documentFormOptions(usage: 'internal' | 'external'): Promise<{ types: { id: string; name: string; numbered: boolean }[]; bases: { id: string; name: string }[] }> {
  return inTenant(async () => ({ types: await documentTypeOptions(usage), bases: await legalBasisOptions() }));
}

export async function processForNewDocument(actor: Actor, processId: string): Promise<{ process: ProcessFacts; defaults: { accessLevel: AccessLevel; legalBasisId: string } }> {
  return inTenant(async (t) => {
    const process = await readableProcess(t, actor, processId, { forWriting: true });
    const row = await Process.findByPk(process.id, { attributes: ['id', 'legalBasisId'], transaction: t });
    return { process, defaults: { accessLevel: process.effectiveLevel, legalBasisId: row?.legalBasisId ? String(row.legalBasisId) : '' } };
  });
}

export interface InternalInput extends AccessChoice {
  documentTypeId: string;
  complement: string | null;
  /** Values for the template's placeholders that the system leaves empty or does not know (the integration API sends them). */
  fields?: Record<string, string>;
}

/** The system's values win; given fields fill what it leaves empty. A null-prototype object: no key reaches Object.prototype. */
function withFields(system: Record<string, string>, fields: Record<string, string> = {}): Record<string, string> {
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(fields)) values[k] = v;
  for (const [k, v] of Object.entries(system)) if (v !== '' || !Object.hasOwn(fields, k)) values[k] = v;
  return values;
}

/** "Incluir documento" (gerado): numbered, body from the type's template, version 1, a minuta. */
export async function createInternalDocument(actor: Actor, processId: string, input: InternalInput): Promise<Document> {
  return inTenant(async (t) => {
    const process = await readableProcess(t, actor, processId, { forWriting: true });
    const type = await documentTypeFor(t, input.documentTypeId, 'internal');
    await checkAccessChoice(t, input);
    const numbering = await numberFor(t, type, actor);
    const body = sanitizeDocumentHtml(fillTemplate(type.template ?? '<p></p>', withFields(await templateValues(t, actor, process), input.fields)));
    const doc = await Document.create(
      {
        ...newDocumentFields(processId, 'internal', type, actor, numbering, input),
        bodyHtml: body,
        version: 1,
        contentText: htmlToText(body),
        fileSha256: null,
        fileName: null,
        fileMime: null,
        fileSize: null,
        documentDate: null,
        origin: null,
        sender: null,
        verificationCode: await uniqueVerificationCode(t),
      },
      { transaction: t },
    );
    await DocumentVersion.create({ documentId: String(doc.id), version: 1, bodyHtml: body, unitId: actor.unitId, createdBy: actor.userId, note: 'Criado a partir do modelo' }, { transaction: t });
    await recordDocumentEvent(t, actor, processId, String(doc.id), 'document.created', `Documento ${numbering.title} (${numbering.number}) gerado`);
    return doc;
  });
}

export interface ExternalInput extends InternalInput {
  documentDate: string;
  origin: DocumentOrigin;
  sender: string | null;
  /** `text`: the PDF's text when the caller extracted it already (outside a transaction holding a lock). */
  file: { buffer: Buffer; originalname: string; text?: string } | undefined;
}

function safeFileName(name: string, ext: string): string {
  const base = name.replace(/[\\/\r\n"]/g, '_').replace(/\.[^.]*$/, '').trim().slice(0, 150) || 'documento';
  return `${base}.${ext}`;
}

/** External document: one file, type checked by content, stored by SHA-256 with its record. */
export async function createExternalDocument(actor: Actor, processId: string, input: ExternalInput): Promise<Document> {
  if (!input.file || input.file.buffer.length === 0) throw new ValidationError('Escolha o arquivo.', { arquivo: 'Escolha o arquivo do documento.' });
  const detected = await detectAcceptedType(input.file.buffer);
  if (!detected) {
    throw new ValidationError('Tipo de arquivo não aceito.', {
      arquivo: 'O conteúdo do arquivo não é PDF, imagem (PNG, JPEG, GIF, WEBP, TIFF) nem documento de escritório (DOCX, XLSX, PPTX, ODT, ODS).',
    });
  }
  const text = detected.kind !== 'pdf' ? '' : (input.file.text ?? (await extractPdfText(input.file.buffer)));
  const file = input.file;
  return inTenant(async (t) => {
    await readableProcess(t, actor, processId, { forWriting: true });
    const type = await documentTypeFor(t, input.documentTypeId, 'external');
    await checkAccessChoice(t, input);
    const numbering = await numberFor(t, type, actor);
    const sha256 = await storeFile(t, file.buffer);
    const doc = await Document.create(
      {
        ...newDocumentFields(processId, 'external', type, actor, numbering, input),
        bodyHtml: null,
        contentText: text,
        fileSha256: sha256,
        fileName: safeFileName(file.originalname, detected.ext),
        fileMime: detected.mime,
        fileSize: String(file.buffer.length),
        documentDate: input.documentDate,
        origin: input.origin,
        sender: input.sender,
        verificationCode: await uniqueVerificationCode(t),
      },
      { transaction: t },
    );
    await recordDocumentEvent(t, actor, processId, String(doc.id), 'document.uploaded', `Documento externo ${numbering.title} (${numbering.number}) incluído`, { sha256 });
    return doc;
  });
}

async function validSignatures(t: Transaction, documentId: string): Promise<Signature[]> {
  return Signature.findAll({ where: { documentId, invalidatedAt: null }, order: [['signedAt', 'ASC'], ['id', 'ASC']], transaction: t });
}

/**
 * A draft (minuta) of another unit is not readable: an internal document without a valid signature
 * is seen only by the unit that wrote it.
 */
function hiddenDraft(doc: { kind: Document['kind']; unitId: string }, signed: boolean, actor: Actor): boolean {
  return doc.kind === 'internal' && !signed && String(doc.unitId) !== String(actor.unitId);
}

/**
 * The document and its process, for a change: the row locked FOR UPDATE, so actions on one document
 * queue up and each sees the other's outcome. Readers use `readableDocument`, which takes no lock, so
 * that reading a document neither queues behind other readers nor writes a row lock to the WAL.
 */
async function lockedDocumentInProcess(t: Transaction, actor: Actor, documentId: string): Promise<{ doc: Document; process: ProcessFacts }> {
  const doc = ID_PATTERN.test(documentId)
    ? await Document.findOne({ where: { id: documentId, deletedAt: null }, transaction: t, lock: t.LOCK.UPDATE })
    : null;
  if (!doc) throw new NotFoundError('Documento não encontrado.');
  const process = await readableProcess(t, actor, doc.processId);
  // Hidden only if unsigned: the signatures are counted only for another unit's internal document.
  if (hiddenDraft(doc, false, actor) && !(await isSigned(t, doc))) throw new NotFoundError('Documento não encontrado.');
  return { doc, process };
}

/** A document as its readers see it: its own columns (named as the model names them) and the names and valid signatures its views show. */
type ReadDocument = Pick<
  Document,
  | 'id' | 'processId' | 'number' | 'kind' | 'unitId' | 'title' | 'complement' | 'accessLevel' | 'bodyHtml' | 'version' | 'fileName' | 'fileMime'
  | 'fileSize' | 'fileSha256' | 'documentDate' | 'origin' | 'sender' | 'verificationCode' | 'crc' | 'seenByOtherUnitAt' | 'cancelledAt'
  | 'cancelReason' | 'createdAt'
> & {
  typeName: string;
  unitAcronym: string;
  unitName: string;
  unitAddress: string | null;
  legalBasis: string | null;
  arms: boolean;
  signatures: { signerName: string; signerTitle: string; signedAt: string }[];
};

/**
 * Every read of a document (its page, the editor, versions, the file) starts here: one prepared
 * statement for the row, the names of its type, unit and legal basis, its valid signatures and the
 * letterhead's facts (this runs on every view of a document).
 */
const READ_DOCUMENT_SQL = `
SELECT d.id, d.process_id AS "processId", d.number, d.kind, d.unit_id AS "unitId", d.title, d.complement, d.access_level AS "accessLevel",
       d.body_html AS "bodyHtml", d.version, d.file_name AS "fileName", d.file_mime AS "fileMime", d.file_size AS "fileSize",
       d.file_sha256 AS "fileSha256", d.document_date::text AS "documentDate", d.origin, d.sender, d.verification_code AS "verificationCode",
       d.crc, d.seen_by_other_unit_at AS "seenByOtherUnitAt", d.cancelled_at AS "cancelledAt", d.cancel_reason AS "cancelReason",
       d.created_at AS "createdAt", dt.name AS "typeName", u.acronym AS "unitAcronym", u.name AS "unitName", u.address AS "unitAddress",
       (SELECT lb.name || ' (' || lb.basis || ')' FROM legal_bases lb WHERE lb.id = d.legal_basis_id) AS "legalBasis",
       EXISTS (SELECT 1 FROM tenant_settings ts WHERE ts.arms_sha256 IS NOT NULL) AS arms,
       (SELECT coalesce(json_agg(json_build_object('signerName', s.signer_name, 'signerTitle', s.signer_title, 'signedAt', s.signed_at) ORDER BY s.signed_at, s.id), '[]')
          FROM signatures s WHERE s.document_id = d.id AND s.invalidated_at IS NULL) AS signatures
  FROM documents d JOIN document_types dt ON dt.id = d.document_type_id JOIN units u ON u.id = d.unit_id
 WHERE d.id = $1 AND d.deleted_at IS NULL`;

async function readDocument(t: Transaction, documentId: string): Promise<ReadDocument | null> {
  if (!ID_PATTERN.test(documentId)) return null;
  const [row] = await preparedSelect<ReadDocument>(t, READ_DOCUMENT_SQL, [documentId]);
  return row ?? null;
}

/** The document and its process, when the actor may read it (no row lock: see `lockedDocumentInProcess`). */
async function readableDocument(t: Transaction, actor: Actor, documentId: string): Promise<{ doc: ReadDocument; process: ProcessFacts }> {
  const doc = await readDocument(t, documentId);
  if (!doc) throw new NotFoundError('Documento não encontrado.');
  const process = await readableProcess(t, actor, doc.processId);
  if (hiddenDraft(doc, doc.signatures.length > 0, actor)) throw new NotFoundError('Documento não encontrado.');
  return { doc, process };
}

/**
 * Records that a unit other than the author's opened the document. The first such view marks the
 * document seen (from then on its author can no longer edit or delete it): a conditional UPDATE,
 * which waits for an edit holding the row and then applies to its outcome, so a view and an edit
 * never both win. After the first view the document is read again, so the reader gets the version
 * that the mark froze (or nothing, when that edit made it unreadable to other units). Answers the
 * document as the reader is to see it.
 */
async function recordOtherUnitView(t: Transaction, actor: Actor, doc: ReadDocument): Promise<ReadDocument> {
  if (String(doc.unitId) === String(actor.unitId)) return doc;
  await select(t, 'INSERT INTO document_views (document_id, unit_id, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1', [doc.id, actor.unitId, actor.userId]);
  if (doc.seenByOtherUnitAt) return doc;
  await select(t, 'UPDATE documents SET seen_by_other_unit_at = now() WHERE id = $1 AND seen_by_other_unit_at IS NULL RETURNING 1', [doc.id]);
  // An edit that committed meanwhile may have deleted it or removed its signatures (a minuta again).
  const fresh = await readDocument(t, String(doc.id));
  if (!fresh || hiddenDraft(fresh, fresh.signatures.length > 0, actor)) throw new NotFoundError('Documento não encontrado.');
  return fresh;
}

async function isSigned(t: Transaction, doc: Document): Promise<boolean> {
  return (await Signature.count({ where: { documentId: doc.id, invalidatedAt: null }, transaction: t })) > 0;
}

/** The document, locked, for a change only its author unit may make (`what`: "excluí-lo"…) and never while the process is in transit. */
async function documentForAuthorChange(t: Transaction, actor: Actor, documentId: string, what: string): Promise<Document> {
  const { doc, process } = await lockedDocumentInProcess(t, actor, documentId);
  const transit = transitBlocker(process);
  if (transit) throw new ConflictError(transit);
  if (doc.unitId !== actor.unitId) throw new PermissionDeniedError(`Só a unidade que gerou o documento pode ${what}.`);
  return doc;
}

/**
 * Why the actor may not edit the document, or null when they may: the one rule for showing
 * "Editar", opening the editor and saving.
 */
export function editBlocker(
  doc: Pick<Document, 'kind' | 'unitId' | 'seenByOtherUnitAt' | 'cancelledAt'>,
  actor: Actor,
  process: Pick<ProcessFacts, 'openInUnit'> & Partial<Pick<ProcessFacts, 'externalTransitTo'>>,
): string | null {
  if (doc.kind !== 'internal') return 'Documentos externos não são editáveis.';
  const transit = transitBlocker({ externalTransitTo: process.externalTransitTo ?? null });
  if (transit) return transit;
  if (doc.cancelledAt) return 'O documento foi cancelado.';
  if (doc.unitId !== actor.unitId) return 'Só a unidade que gerou o documento pode editá-lo.';
  if (!process.openInUnit) return 'O processo não está aberto na sua unidade: reabra-o para editar os seus documentos.';
  if (doc.seenByOtherUnitAt) return 'O documento já foi visualizado por outra unidade e não pode mais ser editado.';
  return null;
}

/**
 * Saves a new version of an internal document's body. Saving a signed document removes its
 * signatures (the history says so); after another unit has opened it, it cannot be edited at all.
 */
export async function saveDocumentBody(
  actor: Actor,
  documentId: string,
  html: string,
  note: string | null = null,
  opts: { removeSignatures: boolean } = { removeSignatures: false },
): Promise<{ version: number; signaturesRemoved: number }> {
  if (html.length > MAX_BODY_CHARS) throw new ValidationError('Texto grande demais.', { body: 'O texto do documento é grande demais.' });
  const body = sanitizeDocumentHtml(html);
  return inTenant(async (t) => {
    const { doc, process } = await lockedDocumentInProcess(t, actor, documentId);
    const blocker = editBlocker(doc, actor, process);
    if (blocker) throw new ConflictError(blocker);
    const signatures = await validSignatures(t, String(doc.id));
    if (body === doc.bodyHtml) return { version: doc.version, signaturesRemoved: 0 };
    if (signatures.length && !opts.removeSignatures) {
      throw new ConflictError(`Este documento está assinado por ${signatures.map((s) => s.signerName).join(', ')}. Confirme que deseja remover as assinaturas antes de salvar a alteração.`);
    }
    const version = doc.version + 1;
    await DocumentVersion.create({ documentId: String(doc.id), version, bodyHtml: body, unitId: actor.unitId, createdBy: actor.userId, note }, { transaction: t });
    if (signatures.length) {
      await Signature.update(
        { invalidatedAt: new Date(), invalidatedReason: `Documento editado por ${actor.name} (versão ${version})` },
        { where: { documentId: doc.id, invalidatedAt: null }, transaction: t },
      );
      await recordDocumentEvent(t, actor, doc.processId, String(doc.id), 'document.signatures_removed', `Assinaturas do documento ${doc.title} (${doc.number}) removidas pela edição: ${signatures.map((s) => s.signerName).join(', ')}`);
    }
    await doc.update({ bodyHtml: body, version, contentText: htmlToText(body), crc: null }, { transaction: t });
    await recordDocumentEvent(t, actor, doc.processId, String(doc.id), 'document.edited', `Documento ${doc.title} (${doc.number}) editado (versão ${version})`);
    return { version, signaturesRemoved: signatures.length };
  });
}

/** Restores an earlier version by saving it as a new one. */
export async function restoreDocumentVersion(actor: Actor, documentId: string, version: number): Promise<{ version: number; signaturesRemoved: number }> {
  const old = await inTenant(async () => {
    const doc = await Document.findOne({ where: { id: documentId, deletedAt: null } });
    if (!doc) throw new NotFoundError('Documento não encontrado.');
    return DocumentVersion.findOne({ where: { documentId, version } });
  });
  if (!old) throw new NotFoundError('Versão não encontrada.');
  return saveDocumentBody(actor, documentId, old.bodyHtml, `Restaurada a partir da versão ${version}`, { removeSignatures: true });
}

/** "Excluir": only the author unit, only while no other unit has seen the document. The number stays used. */
export async function deleteDocument(actor: Actor, documentId: string): Promise<void> {
  await inTenant(async (t) => {
    const doc = await documentForAuthorChange(t, actor, documentId, 'excluí-lo');
    if (doc.seenByOtherUnitAt) throw new ConflictError('O documento já foi visualizado por outra unidade: ele não pode ser excluído, apenas cancelado.');
    await doc.update({ deletedAt: new Date(), deletedBy: actor.userId }, { transaction: t });
    await recordDocumentEvent(t, actor, doc.processId, String(doc.id), 'document.deleted', `Documento ${doc.title} (${doc.number}) excluído`);
  });
}

/** "Cancelar": after another unit has seen it; leaves a visible cancelled entry with the reason. */
export async function cancelDocument(actor: Actor, documentId: string, reason: string): Promise<void> {
  const why = reason.trim();
  if (why.length < 5) throw new ValidationError('Informe o motivo.', { reason: 'Informe o motivo do cancelamento (pelo menos 5 caracteres).' });
  await inTenant(async (t) => {
    const doc = await documentForAuthorChange(t, actor, documentId, 'cancelá-lo');
    if (doc.cancelledAt) throw new ConflictError('O documento já está cancelado.');
    if (!doc.seenByOtherUnitAt) throw new ConflictError('Nenhuma outra unidade viu o documento ainda: exclua-o em vez de cancelar.');
    await doc.update({ cancelledAt: new Date(), cancelledBy: actor.userId, cancelReason: why.slice(0, 1000) }, { transaction: t });
    await recordDocumentEvent(t, actor, doc.processId, String(doc.id), 'document.cancelled', `Documento ${doc.title} (${doc.number}) cancelado: ${why.slice(0, 200)}`);
  });
}

export interface SignatureView {
  signerName: string;
  signerTitle: string;
  signedAt: Date;
}

export interface DocumentView {
  id: string;
  processId: string;
  number: string;
  kind: 'internal' | 'external';
  typeName: string;
  title: string;
  complement: string | null;
  accessLevel: AccessLevel;
  legalBasis: string | null;
  bodyHtml: string | null;
  version: number;
  fileName: string | null;
  fileMime: string | null;
  fileSize: string | null;
  fileSha256: string | null;
  documentDate: string | null;
  origin: string | null;
  sender: string | null;
  verificationCode: string;
  crc: string | null;
  unitId: string;
  unitAcronym: string;
  signatures: SignatureView[];
  signed: boolean;
  draft: boolean;
  cancelled: boolean;
  cancelReason: string | null;
  cancelledAt: Date | null;
  seenByOtherUnit: boolean;
  createdAt: Date;
  canEdit: boolean;
  editBlocker: string | null;
  canDelete: boolean;
  canCancel: boolean;
  canSign: boolean;
  /** The letterhead of an internal document (brasão, ente, unit and its address). */
  letterhead: Letterhead | null;
}

function toView(doc: ReadDocument, actor: Actor | null, process: Pick<ProcessFacts, 'openInUnit'>): DocumentView {
  const signatures = doc.signatures.map((x) => ({ signerName: x.signerName, signerTitle: x.signerTitle, signedAt: new Date(x.signedAt) }));
  const signed = signatures.length > 0;
  const author = actor?.unitId === doc.unitId;
  const blocker = actor ? editBlocker(doc, actor, process) : 'Somente leitura';
  return {
    id: String(doc.id),
    processId: String(doc.processId),
    number: String(doc.number),
    kind: doc.kind,
    typeName: doc.typeName,
    title: doc.title,
    complement: doc.complement,
    accessLevel: doc.accessLevel,
    legalBasis: doc.legalBasis,
    bodyHtml: doc.bodyHtml,
    version: doc.version,
    fileName: doc.fileName,
    fileMime: doc.fileMime,
    fileSize: doc.fileSize,
    fileSha256: doc.fileSha256,
    documentDate: doc.documentDate,
    origin: doc.origin,
    sender: doc.sender,
    verificationCode: doc.verificationCode,
    crc: signed ? doc.crc : null,
    unitId: String(doc.unitId),
    unitAcronym: doc.unitAcronym,
    signatures,
    signed,
    draft: doc.kind === 'internal' && !signed,
    cancelled: !!doc.cancelledAt,
    cancelReason: doc.cancelReason,
    cancelledAt: doc.cancelledAt,
    seenByOtherUnit: !!doc.seenByOtherUnitAt,
    createdAt: doc.createdAt,
    canEdit: !blocker,
    editBlocker: blocker,
    canDelete: !!author && !doc.seenByOtherUnitAt && !doc.cancelledAt,
    canCancel: !!author && !!doc.seenByOtherUnitAt && !doc.cancelledAt,
    canSign: !doc.cancelledAt && (author || signed || doc.kind === 'external'),
    letterhead: doc.kind === 'internal' ? letterheadOf({ unitName: doc.unitName, unitAddress: doc.unitAddress, hasArms: doc.arms }) : null,
  };
}

/**
 * Opens a document for reading. A user of another unit opening it is recorded, and from then on
 * the author unit can no longer edit or delete it. A minuta of another unit is not readable.
 */
export async function openDocument(actor: Actor, documentId: string): Promise<DocumentView> {
  return inTenant(async (t) => {
    const { doc, process } = await readableDocument(t, actor, documentId);
    return toView(await recordOtherUnitView(t, actor, doc), actor, process);
  });
}

/**
 * Everything the document page shows, in one transaction: the document opened (as `openDocument`),
 * its process and the process's document tree.
 */
export interface DocumentPage {
  doc: DocumentView;
  process: ProcessFacts;
  tree: TreeEntry[];
}

export async function documentPageFor(actor: Actor, documentId: string): Promise<DocumentPage> {
  return inTenant(async (t) => {
    const { doc, process } = await readableDocument(t, actor, documentId);
    const view = toView(await recordOtherUnitView(t, actor, doc), actor, process);
    return { doc: view, process, tree: await treeRows(t, String(doc.processId), actor.unitId) };
  });
}

/** A document for the author's editor and other read-only uses (no view is recorded). */
export async function documentForActor(actor: Actor, documentId: string): Promise<DocumentView> {
  return inTenant(async (t) => {
    const { doc, process } = await readableDocument(t, actor, documentId);
    return toView(doc, actor, process);
  });
}

export interface VersionRow {
  version: number;
  createdAt: Date;
  author: string;
  unitAcronym: string;
  note: string | null;
  current: boolean;
}

export async function listVersions(actor: Actor, documentId: string): Promise<{ document: DocumentView; versions: VersionRow[] }> {
  return inTenant(async (t) => {
    const { doc, process } = await readableDocument(t, actor, documentId);
    const rows = await select<{ version: number; created_at: Date; author: string; acronym: string; note: string | null }>(
      t,
      `SELECT v.version, v.created_at, u.name AS author, un.acronym, v.note
         FROM document_versions v JOIN users u ON u.id = v.created_by JOIN units un ON un.id = v.unit_id
        WHERE v.document_id = $1 ORDER BY v.version DESC`,
      [doc.id],
    );
    return {
      document: toView(doc, actor, process),
      versions: rows.map((r) => ({ version: r.version, createdAt: r.created_at, author: r.author, unitAcronym: r.acronym, note: r.note, current: r.version === doc.version })),
    };
  });
}

export async function versionBodies(actor: Actor, documentId: string, a: number, b: number): Promise<{ document: DocumentView; from: string; to: string }> {
  return inTenant(async (t) => {
    const { doc, process } = await readableDocument(t, actor, documentId);
    if (doc.unitId !== actor.unitId) throw new PermissionDeniedError('Só a unidade que gerou o documento vê as suas versões.');
    const va = await DocumentVersion.findOne({ where: { documentId, version: a }, transaction: t });
    const vb = await DocumentVersion.findOne({ where: { documentId, version: b }, transaction: t });
    if (!va || !vb) throw new NotFoundError('Versão não encontrada.');
    return { document: toView(doc, actor, process), from: va.bodyHtml, to: vb.bodyHtml };
  });
}

export interface TreeEntry {
  id: string;
  number: string;
  title: string;
  complement: string | null;
  kind: 'internal' | 'external';
  typeName: string;
  accessLevel: AccessLevel;
  state: 'draft' | 'signed' | 'external' | 'cancelled';
  signatureCount: number;
  readable: boolean;
  fileMime: string | null;
}

/** The documents of a process in order (deleted ones are gone; cancelled ones stay as entries). */
export async function documentTree(actor: Actor, processId: string): Promise<TreeEntry[]> {
  return inTenant(async (t) => {
    await readableProcess(t, actor, processId);
    return treeRows(t, processId, actor.unitId);
  });
}

export async function treeRows(t: Transaction, processId: string, unitId: string): Promise<TreeEntry[]> {
  const rows = await preparedSelect<{
    id: string; number: string; title: string; complement: string | null; kind: 'internal' | 'external'; type_name: string;
    access_level: AccessLevel; unit_id: string; cancelled_at: Date | null; signatures: string; file_mime: string | null;
  }>(
    t,
    `SELECT d.id, d.number, d.title, d.complement, d.kind, dt.name AS type_name, d.access_level, d.unit_id, d.cancelled_at, d.file_mime,
            (SELECT count(*) FROM signatures s WHERE s.document_id = d.id AND s.invalidated_at IS NULL) AS signatures
       FROM documents d JOIN document_types dt ON dt.id = d.document_type_id
      WHERE d.process_id = $1 AND d.deleted_at IS NULL
      ORDER BY d.number`,
    [processId],
  );
  return rows.map((r) => {
    const signatureCount = Number(r.signatures);
    const state = r.cancelled_at ? 'cancelled' : r.kind === 'external' ? 'external' : signatureCount ? 'signed' : 'draft';
    return {
      id: String(r.id),
      number: String(r.number),
      title: r.title,
      complement: r.complement,
      kind: r.kind,
      typeName: r.type_name,
      accessLevel: r.access_level,
      state,
      signatureCount,
      readable: state !== 'cancelled' && (state !== 'draft' || String(r.unit_id) === String(unitId)),
      fileMime: r.file_mime,
    };
  });
}

/**
 * An external document's file, when the actor may read it: the access check and the record of the
 * view (another unit opening it locks it for the author) in one short transaction, which returns
 * the file's metadata; the bytes are then streamed in chunks, each read in its own short
 * transaction (`chunkedFileStream`), checked against the SHA-256 as they go.
 */
export async function downloadFile(actor: Actor, documentId: string): Promise<FileDownload> {
  const tenant = requireTenant();
  const file = await inTenant(async (t) => {
    const { doc } = await readableDocument(t, actor, documentId);
    if (doc.kind !== 'external' || !doc.fileSha256 || doc.cancelledAt) throw new NotFoundError('Arquivo não encontrado.');
    const [row] = await select<{ size: string }>(t, 'SELECT size FROM file_contents WHERE sha256 = $1', [doc.fileSha256]);
    if (!row) throw new NotFoundError('Arquivo não encontrado.');
    await recordOtherUnitView(t, actor, doc);
    return { name: doc.fileName ?? 'documento', mime: doc.fileMime ?? 'application/octet-stream', size: Number(row.size), sha256: doc.fileSha256 };
  });
  return { ...file, open: () => chunkedFileStream(file, fileContentReader(tenant, file.sha256)) };
}

/** Minutas (unsigned internal documents) of a process that are still in force. */
export async function unsignedDrafts(t: Transaction, processId: string): Promise<{ id: string; title: string; number: string }[]> {
  return select(
    t,
    `SELECT d.id, d.title, d.number FROM documents d
      WHERE d.process_id = $1 AND d.kind = 'internal' AND d.deleted_at IS NULL AND d.cancelled_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM signatures s WHERE s.document_id = d.id AND s.invalidated_at IS NULL)
      ORDER BY d.number`,
    [processId],
  );
}

/**
 * The rule for sending a process to another government (Tramita): no unsigned minutas. Throws a
 * ConflictError naming them; resolves when there are none.
 */
export async function assertNoUnsignedDrafts(processId: string): Promise<void> {
  const drafts = await inTenant((t) => unsignedDrafts(t, processId));
  if (drafts.length) {
    throw new ConflictError(`O processo tem minutas não assinadas: ${drafts.map((d) => `${d.title} (${d.number})`).join(', ')}. Assine-as ou exclua-as antes de enviar.`);
  }
}

export interface ReceivedDocumentInput {
  documentTypeId: string;
  title: string;
  /** The complement of its title at the origin ("Planilha de custos"), kept as it travelled. */
  complement?: string | null;
  accessLevel: AccessLevel;
  legalBasisId: string | null;
  bytes: Buffer;
  fileName: string;
  mime: string;
  documentDate: string;
  /** Who sent it: "<ente> / <unidade>". */
  sender: string;
}

/**
 * A document that arrived from another government (Tramita): an external document holding the
 * bytes exactly as they travelled (so its SHA-256 is the one the transfer carried), numbered here,
 * titled as at the origin. Runs in the caller's tenant transaction (the acceptance's).
 */
export async function createReceivedDocument(t: Transaction, actor: Actor, processId: string, input: ReceivedDocumentInput): Promise<Document> {
  const number = await nextDocumentNumber(t);
  const sha256 = await storeFile(t, input.bytes);
  const text = input.mime === 'application/pdf' ? await extractPdfText(input.bytes).catch(() => '') : '';
  return Document.create(
    {
      processId,
      number: String(number),
      kind: 'external',
      documentTypeId: input.documentTypeId,
      unitId: actor.unitId,
      createdBy: actor.userId,
      typeNumber: null,
      typeYear: null,
      title: input.title.slice(0, 300),
      complement: input.complement?.trim() ? input.complement.trim().slice(0, 300) : null,
      accessLevel: input.accessLevel,
      legalBasisId: input.accessLevel === 'public' ? null : input.legalBasisId,
      bodyHtml: null,
      contentText: text,
      fileSha256: sha256,
      fileName: safeFileName(input.fileName, input.fileName.split('.').pop() || 'pdf'),
      fileMime: input.mime,
      fileSize: String(input.bytes.length),
      documentDate: input.documentDate,
      origin: 'nato_digital',
      sender: input.sender.slice(0, 300),
      verificationCode: await uniqueVerificationCode(t),
    },
    { transaction: t },
  );
}
