import { Op, type Transaction, type WhereOptions } from 'sequelize';
import { recordChange, type Actor as AuditActor } from '../audit/record';
import { businessDeadline } from '../calendar/businessDays';
import type { Config } from '../config';
import { readableProcess } from '../processes/access';
import type { Actor } from '../web/actor';
import { createExternalDocument } from '../documents/service';
import { extractPdfText } from '../documents/pdfText';
import { readFile } from '../documents/storage';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { enqueueMail } from '../mail/outbox';
import { CitizenRequest, CitizenRequestAmendment, CitizenRequestEvent, CitizenRequestFile, CitizenService, DocumentType, Process, ProcessParty, type CitizenRequestStatus, type NumberingScheme } from '../models';
import { createProcess, upsertParty } from '../processes/create';
import { formatCpfCnpj } from '../formatting';
import { todayInSaoPaulo } from '../processes/dates';
import { recordEvent } from '../processes/events';
import { inTenant, requireTenant } from '../tenancy/context';
import { tenantUrl } from '../tenancy/urls';
import { hashSecret, newLinkToken } from './codes';
import { REQUEST_STATUS_LABELS } from './following';
import { issueIntimation, requestIntimations, type IntimationView } from './intimations';
import { answerText } from './receipt';
import type { CheckedDocument } from './requestValidation';

/**
 * Triage by the Protocolo users of the receiving unit. A request is only ever read through
 * `requestForTriage`, which refuses (404) anyone but a Protocolo user working in its receiving unit,
 * and every view is written to the tenant audit log.
 */

export const AMENDMENT_DAYS = [7, 15, 30, 60] as const;
const OPEN: CitizenRequestStatus[] = ['received', 'in_review'];

export interface QueueFilter {
  serviceId?: string;
  status?: CitizenRequestStatus;
  /** Days since filing: at most (`newer`) or more than (`older`). */
  age?: 'today' | 'week' | 'month' | 'older';
}

export interface QueueRow {
  id: string;
  number: string;
  serviceName: string;
  citizenName: string;
  submittedAt: Date;
  status: CitizenRequestStatus;
  statusLabel: string;
  unread: boolean;
}

const DAY = 86_400_000;

export async function triageQueue(unitId: string, filter: QueueFilter, now = new Date()): Promise<QueueRow[]> {
  return inTenant(async (t) => {
    const where: WhereOptions<CitizenRequest> & Record<string, unknown> = { receivingUnitId: unitId, status: filter.status ?? { [Op.ne]: 'draft' } };
    if (filter.serviceId) where.serviceId = filter.serviceId;
    if (filter.age === 'today') where.submittedAt = { [Op.gte]: new Date(now.getTime() - DAY) };
    if (filter.age === 'week') where.submittedAt = { [Op.gte]: new Date(now.getTime() - 7 * DAY) };
    if (filter.age === 'month') where.submittedAt = { [Op.gte]: new Date(now.getTime() - 30 * DAY) };
    if (filter.age === 'older') where.submittedAt = { [Op.lt]: new Date(now.getTime() - 30 * DAY) };
    const rows = await CitizenRequest.findAll({ where, order: [['submittedAt', 'DESC']], limit: 500, transaction: t });
    const services = new Map((await CitizenService.findAll({ attributes: ['id', 'name'], transaction: t })).map((s) => [String(s.id), s.name]));
    return rows.map((r) => ({
      id: String(r.id),
      number: r.number!,
      serviceName: services.get(String(r.serviceId)) ?? '',
      citizenName: r.citizenName,
      submittedAt: r.submittedAt!,
      status: r.status as CitizenRequestStatus,
      statusLabel: REQUEST_STATUS_LABELS[r.status as CitizenRequestStatus],
      unread: r.unread,
    }));
  });
}

/** Unread filed requests of a unit (the "Protocolo" entry of the header). */
export async function unreadCount(unitId: string): Promise<number> {
  return inTenant((t) => CitizenRequest.count({ where: { receivingUnitId: unitId, unread: true, status: { [Op.ne]: 'draft' } }, transaction: t }));
}

/** A filed request received by the actor's unit (404 for any other), locked for an action unless `lock` is false. */
async function unitRequest(t: Transaction, actor: Actor, id: string, { lock = true }: { lock?: boolean } = {}): Promise<CitizenRequest> {
  const r = await CitizenRequest.findOne({ where: { id, receivingUnitId: actor.unitId, status: { [Op.ne]: 'draft' } }, transaction: t, ...(lock ? { lock: t.LOCK.UPDATE } : {}) });
  if (!r) throw new NotFoundError('Solicitação não encontrada nesta unidade.');
  return r;
}

export interface TriageView {
  id: string;
  number: string;
  serviceName: string;
  status: CitizenRequestStatus;
  statusLabel: string;
  citizen: { name: string; cpf: string; email: string; identifiedBy: string };
  submittedAt: Date;
  answers: { label: string; value: string }[];
  files: { id: string; attachmentName: string; fileName: string; size: number; sha256: string; amendment: boolean }[];
  history: { at: Date; description: string }[];
  processNumber: string | null;
  processId: string | null;
  answerText: string | null;
  amendment: { message: string; deadlineAt: Date } | null;
  intimations: IntimationView[];
  canAct: boolean;
}

/**
 * The request page: opening it marks it read and, the first time, "em análise"; the view is logged
 * (who, when, from where) in the tenant audit log, in the same transaction.
 */
export async function openForTriage(actor: Actor, audit: AuditActor, id: string): Promise<TriageView> {
  return inTenant(async (t) => {
    const r = await unitRequest(t, actor, id);
    if (r.unread || r.status === 'received') {
      const toReview = r.status === 'received';
      await r.update({ unread: false, ...(toReview ? { status: 'in_review' as const } : {}) }, { transaction: t });
      if (toReview) await CitizenRequestEvent.create({ requestId: id, kind: 'in_review', description: 'Solicitação em análise', userId: actor.userId }, { transaction: t });
    }
    await recordChange(audit, { action: 'citizen_request.view', entity: 'citizen_request', entityId: id });
    const service = await CitizenService.findByPk(r.serviceId, { transaction: t });
    const files = await CitizenRequestFile.findAll({ where: { requestId: id }, order: [['id', 'ASC']], transaction: t });
    const events = await CitizenRequestEvent.findAll({ where: { requestId: id }, order: [['id', 'ASC']], transaction: t });
    const process = r.processId ? await Process.findByPk(r.processId, { attributes: ['id', 'number'], transaction: t }) : null;
    const amendment = await CitizenRequestAmendment.findOne({ where: { requestId: id, status: 'open' }, transaction: t });
    return {
      id,
      number: r.number!,
      serviceName: service?.name ?? '',
      status: r.status as CitizenRequestStatus,
      statusLabel: REQUEST_STATUS_LABELS[r.status as CitizenRequestStatus],
      citizen: { name: r.citizenName, cpf: formatCpfCnpj(r.citizenCpf), email: r.citizenEmail, identifiedBy: r.identifiedBy === 'govbr' ? 'gov.br' : 'e-mail confirmado' },
      submittedAt: r.submittedAt!,
      answers: r.answers.map((a) => ({ label: a.label, value: answerText(a) })),
      files: files.map((f) => ({ id: String(f.id), attachmentName: f.attachmentName, fileName: f.fileName, size: Number(f.size), sha256: f.sha256, amendment: f.amendmentId !== null })),
      history: events.map((e) => ({ at: e.createdAt, description: e.description })),
      processNumber: process?.number ?? null,
      processId: process ? String(process.id) : null,
      answerText: r.answerText,
      amendment: amendment ? { message: amendment.message, deadlineAt: amendment.deadlineAt } : null,
      intimations: await requestIntimations(t, id),
      canAct: OPEN.includes(r.status as CitizenRequestStatus),
    };
  });
}

/** One attachment's bytes, for the Protocolo users of the receiving unit (the download is logged). */
export async function triageFile(actor: Actor, audit: AuditActor, requestId: string, fileId: string): Promise<{ bytes: Buffer; name: string; mime: string }> {
  return inTenant(async (t) => {
    await unitRequest(t, actor, requestId);
    const f = await CitizenRequestFile.findOne({ where: { id: fileId, requestId }, transaction: t });
    const bytes = f ? await readFile(t, f.sha256) : null;
    if (!f || !bytes) throw new NotFoundError('Anexo não encontrado.');
    await recordChange(audit, { action: 'citizen_request.file_view', entity: 'citizen_request', entityId: requestId, after: { fileId } });
    return { bytes, name: f.fileName, mime: f.mime };
  });
}

function assertOpen(r: CitizenRequest): void {
  if (!OPEN.includes(r.status as CitizenRequestStatus)) throw new ConflictError(`A solicitação está "${REQUEST_STATUS_LABELS[r.status as CitizenRequestStatus]}" e não admite esta ação.`);
}

async function mailCitizen(config: Config, r: CitizenRequest, subject: string, template: string, data: Record<string, unknown>): Promise<void> {
  const tenant = requireTenant();
  await enqueueMail({
    to: r.citizenEmail,
    subject,
    template,
    tenantId: tenant.id,
    data: { name: r.citizenName, tenantName: tenant.name, number: r.number, followUrl: tenantUrl(config, tenant.slug, '/protocolo/acompanhar'), ...data },
  });
}

/**
 * "Responder": a written answer, optionally with documents, that closes the request; the citizen is
 * intimated (e-mail, ciência on opening or tacit at the end of the period, see intimations.ts).
 */
export async function answerRequest(config: Config, actor: Actor, audit: AuditActor, id: string, text: string, files: CheckedDocument[] = [], now = new Date()): Promise<void> {
  await inTenant(async (t) => {
    const r = await unitRequest(t, actor, id);
    assertOpen(r);
    const service = await CitizenService.findByPk(r.serviceId, { transaction: t });
    await r.update({ status: 'answered', answerText: text }, { transaction: t });
    await CitizenRequestEvent.create({ requestId: id, kind: 'answered', description: 'Solicitação respondida', userId: actor.userId }, { transaction: t });
    await issueIntimation(t, config, actor, r, { kind: 'answer', body: text, processId: null, processTypeId: service ? String(service.processTypeId) : null, files }, now);
    await recordChange(audit, { action: 'citizen_request.answer', entity: 'citizen_request', entityId: id, after: { status: 'answered', documents: files.length } });
  });
}

/**
 * "Solicitar complementação": a message and a deadline (7, 15, 30 or 60 days); the citizen gets a
 * single-use link to add fields and files; the request waits (the worker cancels it after the deadline).
 */
export async function requestAmendment(config: Config, actor: Actor, audit: AuditActor, id: string, message: string, days: number, now = new Date()): Promise<void> {
  const token = newLinkToken();
  await inTenant(async (t) => {
    const r = await unitRequest(t, actor, id);
    assertOpen(r);
    // Business-day rule: day 1 is the first business day after today, an end on a holiday moves on.
    const { endsAt: deadlineAt } = await businessDeadline(t, now, days);
    await CitizenRequestAmendment.create({ requestId: id, message, deadlineAt, tokenHash: hashSecret(token), requestedBy: actor.userId }, { transaction: t });
    await r.update({ status: 'awaiting_amendment' }, { transaction: t });
    await CitizenRequestEvent.create({ requestId: id, kind: 'amendment_requested', description: `Complementação solicitada, prazo de ${days} dias`, userId: actor.userId }, { transaction: t });
    await recordChange(audit, { action: 'citizen_request.request_amendment', entity: 'citizen_request', entityId: id, after: { days } });
    const tenant = requireTenant();
    await mailCitizen(config, r, `Solicitação nº ${r.number}: complementação necessária`, 'protocol-amendment', {
      message,
      days,
      deadline: deadlineAt,
      link: tenantUrl(config, tenant.slug, `/protocolo/complementar?token=${token}`),
    });
  });
}

/** Cancels the requests whose complementação deadline passed (worker; safe to run again). */
export async function expireAmendments(now = new Date()): Promise<number> {
  return inTenant(async (t) => {
    const due = await CitizenRequestAmendment.findAll({ where: { status: 'open', deadlineAt: { [Op.lt]: now } }, transaction: t, lock: t.LOCK.UPDATE, skipLocked: true });
    for (const a of due) {
      await a.update({ status: 'expired' }, { transaction: t });
      await CitizenRequest.update({ status: 'cancelled' }, { where: { id: a.requestId, status: 'awaiting_amendment' }, transaction: t });
      await CitizenRequestEvent.create({ requestId: a.requestId, kind: 'cancelled', description: 'Solicitação cancelada: prazo de complementação encerrado', userId: null }, { transaction: t });
    }
    return due.length;
  });
}

export interface ConvertInput {
  /** null: a new process; else the number of an existing process to file into. */
  existingNumber: string | null;
  specification: string;
}

async function documentTypeId(t: Transaction, preferred: string): Promise<string> {
  const type =
    (await DocumentType.findOne({ where: { name: preferred, active: true, usage: { [Op.in]: ['external', 'both'] } }, transaction: t })) ??
    (await DocumentType.findOne({ where: { active: true, usage: { [Op.in]: ['external', 'both'] } }, order: [['id', 'ASC']], transaction: t }));
  if (!type) throw new ValidationError('O ente não tem tipo de documento externo ativo: peça ao administrador para criar um.');
  return String(type.id);
}

interface FileWithText {
  sha256: string;
  bytes: Buffer;
  /** The PDF's text for full-text search; undefined when the bytes do not start as a PDF (createExternalDocument decides by content). */
  text: string | undefined;
}

/** The receipt and attachments of a request of the actor's unit, each with its PDF text extracted. */
async function requestFilesWithText(actor: Actor, id: string): Promise<{ receipt: FileWithText | null; attachments: (FileWithText & { id: string; attachmentName: string; fileName: string })[] }> {
  const stored = await inTenant(async (t) => {
    const r = await unitRequest(t, actor, id, { lock: false });
    const read = async (sha256: string, what: string): Promise<Buffer> => {
      const bytes = await readFile(t, sha256);
      if (!bytes) throw new Error(`${what} da solicitação ${id} ausente`);
      return bytes;
    };
    const receipt = r.receiptSha256 ? { sha256: r.receiptSha256, bytes: await read(r.receiptSha256, 'Recibo') } : null;
    const attachments = [];
    for (const f of await CitizenRequestFile.findAll({ where: { requestId: id }, order: [['id', 'ASC']], transaction: t })) {
      attachments.push({ id: String(f.id), attachmentName: f.attachmentName, fileName: f.fileName, sha256: f.sha256, bytes: await read(f.sha256, `Anexo ${f.id}`) });
    }
    return { receipt, attachments };
  });
  const isPdf = (bytes: Buffer): boolean => bytes.subarray(0, 5).toString('latin1') === '%PDF-';
  const withText = async <T extends { bytes: Buffer }>(f: T): Promise<T & { text: string | undefined }> => ({ ...f, text: isPdf(f.bytes) ? await extractPdfText(f.bytes) : undefined });
  return {
    receipt: stored.receipt ? await withText(stored.receipt) : null,
    attachments: await Promise.all(stored.attachments.map(withText)),
  };
}

/**
 * "Converter em processo", in ONE transaction: a new process (the service's type and access level,
 * the citizen as interessado, in the receiving unit) — or the existing process named by its number,
 * open in this unit — gets the receipt PDF as its first document and each attachment as an external
 * document with its hash; the request records the process; the citizen is e-mailed its number. Any
 * failure rolls everything back.
 */
export async function convertRequest(config: Config, actor: Actor, audit: AuditActor, scheme: NumberingScheme, id: string, input: ConvertInput): Promise<{ processId: string; number: string }> {
  // The files' text is extracted before the transaction: it takes the unit's NUP counter, and every
  // conversion of the unit waits for it until the commit. A request's files never change once filed
  // (stored by SHA-256), so what is read here is what the transaction files.
  const files = await requestFilesWithText(actor, id);
  return inTenant(async (t) => {
    const r = await unitRequest(t, actor, id);
    assertOpen(r);
    const service = await CitizenService.findByPk(r.serviceId, { transaction: t });
    if (!service) throw new NotFoundError('Serviço não encontrado.');
    let process: { id: string; number: string };
    if (input.existingNumber) {
      const digits = input.existingNumber.replace(/[^0-9]/g, '');
      const found = digits ? await Process.findOne({ where: { numberDigits: digits }, transaction: t }) : null;
      if (!found) throw new ValidationError('Corrija os campos indicados.', { existingNumber: 'Nenhum processo encontrado com este número.' });
      const facts = await readableProcess(t, actor, String(found.id), { forWriting: true }).catch(() => {
        throw new ValidationError('Corrija os campos indicados.', { existingNumber: 'O processo precisa estar aberto nesta unidade para receber a solicitação.' });
      });
      process = { id: facts.id, number: facts.number };
      const partyId = await upsertParty(t, { name: r.citizenName, document: r.citizenCpf });
      const has = await ProcessParty.findOne({ where: { processId: process.id, partyId }, transaction: t });
      if (!has) {
        const position = await ProcessParty.count({ where: { processId: process.id }, transaction: t });
        await ProcessParty.create({ processId: process.id, partyId, position }, { transaction: t });
      }
      await recordEvent(t, process.id, actor, { kind: 'citizen_request_filed', description: `Solicitação do cidadão nº ${r.number} (${service.name}) juntada ao processo` });
    } else {
      process = await createProcess(
        {
          processTypeId: String(service.processTypeId),
          specification: input.specification,
          parties: [{ name: r.citizenName, document: r.citizenCpf }],
          accessLevel: service.accessLevel,
          legalBasisId: service.legalBasisId,
        },
        actor,
        scheme,
      );
    }
    const access = { accessLevel: service.accessLevel, legalBasisId: service.accessLevel === 'public' ? null : service.legalBasisId };
    const date = todayInSaoPaulo(r.submittedAt!);
    if (!files.receipt || files.receipt.sha256 !== r.receiptSha256) throw new Error(`Recibo da solicitação ${id} ausente`);
    await createExternalDocument(actor, process.id, {
      ...access,
      documentTypeId: await documentTypeId(t, 'Requerimento'),
      complement: `Recibo eletrônico de protocolo nº ${r.number}`,
      documentDate: date,
      origin: 'nato_digital',
      sender: r.citizenName,
      file: { buffer: files.receipt.bytes, text: files.receipt.text, originalname: `recibo-protocolo-${r.number!.replace('/', '-')}.pdf` },
    });
    const attachmentType = await documentTypeId(t, 'Anexo');
    const attached = await CitizenRequestFile.findAll({ where: { requestId: id }, order: [['id', 'ASC']], transaction: t });
    if (attached.map((f) => String(f.id)).join() !== files.attachments.map((f) => f.id).join()) throw new ConflictError('Os anexos da solicitação mudaram enquanto ela era convertida. Tente de novo.');
    for (const f of files.attachments) {
      await createExternalDocument(actor, process.id, { ...access, documentTypeId: attachmentType, complement: f.attachmentName, documentDate: date, origin: 'nato_digital', sender: r.citizenName, file: { buffer: f.bytes, text: f.text, originalname: f.fileName } });
    }
    await r.update({ status: 'converted', processId: process.id }, { transaction: t });
    await CitizenRequestEvent.create({ requestId: id, kind: 'converted', description: `Convertida no processo nº ${process.number}`, userId: actor.userId }, { transaction: t });
    await recordChange(audit, { action: 'citizen_request.convert', entity: 'citizen_request', entityId: id, after: { processId: process.id, number: process.number } });
    await mailCitizen(config, r, `Solicitação nº ${r.number}: processo nº ${process.number}`, 'protocol-update', {
      message: `A sua solicitação virou o processo nº ${process.number}. Acompanhe-o pela página da solicitação.`,
    });
    return { processId: process.id, number: process.number };
  });
}
