import { Op, type Transaction } from 'sequelize';
import { recordChange, type Actor as AuditActor } from '../audit/record';
import { businessDeadline } from '../calendar/businessDays';
import type { Config } from '../config';
import { preparedSelect, select } from '../db/sql';
import { readableProcess } from '../processes/access';
import { readFile, storeFile } from '../documents/storage';
import { NotFoundError, ValidationError } from '../errors';
import { enqueueMail } from '../mail/outbox';
import { CitizenIntimation, CitizenIntimationFile, CitizenRequest, CitizenRequestEvent, ProcessEvent, type IntimationStatus } from '../models';
import { recordEvent } from '../processes/events';
import { inTenant, requireTenant } from '../tenancy/context';
import { tenantUrl } from '../tenancy/urls';
import type { Actor } from '../web/actor';
import type { CheckedDocument } from './requestValidation';

/**
 * Intimações: an answer or a decision the citizen must acknowledge. Sending one e-mails the citizen
 * and stores its deadline, computed once (server/calendar/businessDays.ts, the tenant's holidays):
 * the tacit period is the process type's when it has one, else the tenant's (protocol_settings,
 * default 10 days, Lei 11.419/2006 art. 5º §3º). Opening it on the follow-up page records ciência
 * "por consulta"; when the period ends unopened the worker records it "por decurso do prazo", dated
 * the end of the period. Every transition is conditional on the stored state, so running the worker
 * again, or the citizen opening it twice, records nothing more.
 */

export const INTIMATION_STATUS_LABELS: Record<IntimationStatus, string> = {
  pending: 'Pendente',
  read: 'Cumprida por consulta',
  tacit: 'Cumprida por decurso do prazo',
  responded: 'Respondida',
};

export const INTIMATION_KIND_LABELS = { answer: 'Resposta à solicitação', decision: 'Decisão no processo' } as const;

/** The tenant's default when protocol_settings has no row (it always has one after migration 0802). */
export const DEFAULT_TACIT_DAYS = 10;

/** The tacit period of an intimação: the process type's, else the tenant's. */
export async function tacitDaysFor(t: Transaction, processTypeId: string | null): Promise<number> {
  const [row] = await select<{ days: number }>(
    t,
    'SELECT coalesce((SELECT tacit_days FROM process_types WHERE id = $1::bigint), (SELECT tacit_days FROM protocol_settings), $2::int) AS days',
    [processTypeId, DEFAULT_TACIT_DAYS],
  );
  return Number(row.days);
}

/** "12/03/2026" for a stored day. */
const dayLabel = (day: string): string => day.split('-').reverse().join('/');

export interface NewIntimation {
  kind: 'answer' | 'decision';
  body: string;
  processId: string | null;
  processTypeId: string | null;
  files: CheckedDocument[];
}

/**
 * Sends an intimação of request `r` inside `t`: its deadline computed and stored, its documents
 * stored with it, a history line on the request (and an andamento on the process), and the e-mail.
 */
export async function issueIntimation(t: Transaction, config: Config, actor: Actor, r: CitizenRequest, input: NewIntimation, now = new Date()): Promise<CitizenIntimation> {
  const tacitDays = await tacitDaysFor(t, input.processTypeId);
  const { lastDay, endsAt } = await businessDeadline(t, now, tacitDays);
  const intimation = await CitizenIntimation.create(
    { requestId: String(r.id), processId: input.processId, unitId: actor.unitId, kind: input.kind, body: input.body, sentAt: now, sentBy: actor.userId, tacitDays, deadlineDay: lastDay, deadlineAt: endsAt },
    { transaction: t },
  );
  for (const f of input.files) {
    const sha256 = await storeFile(t, f.bytes);
    await CitizenIntimationFile.create({ intimationId: String(intimation.id), fileName: f.fileName, mime: f.mime, size: String(f.bytes.length), sha256 }, { transaction: t });
  }
  const what = input.kind === 'answer' ? 'Resposta' : 'Decisão';
  await CitizenRequestEvent.create(
    { requestId: String(r.id), kind: 'intimation_sent', description: `${what} enviada ao cidadão para ciência (prazo de ${tacitDays} dias, até ${dayLabel(lastDay)})`, userId: actor.userId },
    { transaction: t },
  );
  if (input.processId) {
    await recordEvent(t, input.processId, actor, { kind: 'citizen_intimation', description: `Intimação de ${r.citizenName} enviada por e-mail (ciência até ${dayLabel(lastDay)})`, details: { intimationId: String(intimation.id) } });
  }
  const tenant = requireTenant();
  await enqueueMail({
    to: r.citizenEmail,
    subject: `Solicitação nº ${r.number}: ${input.kind === 'answer' ? 'resposta' : 'decisão'} para ciência`,
    template: 'protocol-intimation',
    tenantId: tenant.id,
    data: {
      name: r.citizenName,
      tenantName: tenant.name,
      number: r.number,
      what: input.kind === 'answer' ? 'a resposta à sua solicitação' : 'uma decisão no processo da sua solicitação',
      days: tacitDays,
      deadline: dayLabel(lastDay),
      documents: input.files.length,
      followUrl: tenantUrl(config, tenant.slug, '/protocolo/acompanhar'),
    },
  });
  return intimation;
}

/** The andamento of a citizen's act on the process, in the unit that sent the intimação (no staff author). */
async function citizenEvent(t: Transaction, i: CitizenIntimation, kind: string, description: string): Promise<void> {
  if (!i.processId) return;
  await ProcessEvent.create({ processId: i.processId, unitId: i.unitId, userId: null, kind, description, summary: true, details: { intimationId: String(i.id) } }, { transaction: t });
}

/** Ciência por decurso do prazo, dated the end of the period (the worker, or an opening after it). */
async function recordTacit(t: Transaction, i: CitizenIntimation): Promise<void> {
  const [updated] = await CitizenIntimation.update(
    { status: 'tacit', acknowledgedAt: i.deadlineAt, acknowledgedHow: 'decurso' },
    { where: { id: i.id, status: 'pending' }, transaction: t },
  );
  if (!updated) return;
  const text = `Ciência tácita: prazo de ${i.tacitDays} dias encerrado em ${dayLabel(i.deadlineDay)} sem consulta`;
  await CitizenRequestEvent.create({ requestId: i.requestId, kind: 'intimation_tacit', description: text, userId: null }, { transaction: t });
  await citizenEvent(t, i, 'citizen_intimation_tacit', text);
}

/**
 * The citizen opens an intimação of the request this session proved: ciência por consulta (date,
 * time, IP), once. Opened after its period ended, the ciência is the tacit one of that end.
 */
export async function acknowledgeIntimation(requestId: string, intimationId: string, ip: string | null, now = new Date()): Promise<void> {
  await inTenant(async (t) => {
    const i = await CitizenIntimation.findOne({ where: { id: intimationId, requestId }, transaction: t, lock: t.LOCK.UPDATE });
    if (!i) throw new NotFoundError('Intimação não encontrada.');
    if (i.status !== 'pending') return;
    if (now >= i.deadlineAt) return recordTacit(t, i);
    await i.update({ status: 'read', acknowledgedAt: now, acknowledgedHow: 'consulta', acknowledgedIp: ip }, { transaction: t });
    await CitizenRequestEvent.create({ requestId, kind: 'intimation_read', description: 'Ciência registrada: o cidadão abriu a intimação na página de acompanhamento', userId: null }, { transaction: t });
    await citizenEvent(t, i, 'citizen_intimation_read', 'Ciência da intimação pelo interessado, por consulta no portal do Protocolo');
  });
}

/** Records ciência tácita of every pending intimação whose period ended before `now` (worker; safe to run again). */
export async function recordTacitAcknowledgements(now = new Date()): Promise<number> {
  return inTenant(async (t) => {
    const due = await CitizenIntimation.findAll({ where: { status: 'pending', deadlineAt: { [Op.lt]: now } }, order: [['id', 'ASC']], transaction: t, lock: t.LOCK.UPDATE, skipLocked: true });
    for (const i of due) await recordTacit(t, i);
    return due.length;
  });
}

/** The citizen answered (an intercurrent filing after ciência): the acknowledged intimações of the request become "respondida". */
export async function markIntimationsResponded(t: Transaction, requestId: string, now = new Date()): Promise<number> {
  const [n] = await CitizenIntimation.update({ status: 'responded', respondedAt: now }, { where: { requestId, status: { [Op.in]: ['read', 'tacit'] } }, transaction: t });
  return n;
}

export interface IntimationView {
  id: string;
  kind: string;
  sentAt: Date;
  tacitDays: number;
  deadlineDay: string;
  status: IntimationStatus;
  statusLabel: string;
  acknowledgedAt: Date | null;
  acknowledgedHow: string | null;
  /** Only once acknowledged, for the citizen; always for staff. */
  body: string | null;
  files: { id: string; fileName: string; size: number; sha256: string }[];
  pending: boolean;
}

const HOW = { consulta: 'por consulta no portal', decurso: 'por decurso do prazo' } as const;

async function views(t: Transaction, where: Record<string, unknown>, forCitizen: boolean): Promise<IntimationView[]> {
  const rows = await CitizenIntimation.findAll({ where, order: [['id', 'ASC']], transaction: t });
  const files = rows.length ? await CitizenIntimationFile.findAll({ where: { intimationId: rows.map((r) => r.id) }, order: [['id', 'ASC']], transaction: t }) : [];
  return rows.map((i) => {
    const open = !forCitizen || i.status !== 'pending';
    return {
      id: String(i.id),
      kind: INTIMATION_KIND_LABELS[i.kind],
      sentAt: i.sentAt,
      tacitDays: i.tacitDays,
      deadlineDay: i.deadlineDay,
      status: i.status as IntimationStatus,
      statusLabel: INTIMATION_STATUS_LABELS[i.status as IntimationStatus],
      acknowledgedAt: i.acknowledgedAt,
      acknowledgedHow: i.acknowledgedHow ? HOW[i.acknowledgedHow as keyof typeof HOW] : null,
      body: open ? i.body : null,
      files: open ? files.filter((f) => String(f.intimationId) === String(i.id)).map((f) => ({ id: String(f.id), fileName: f.fileName, size: Number(f.size), sha256: f.sha256 })) : [],
      pending: i.status === 'pending',
    };
  });
}

/** The citizen's view of a request's intimações: the content of a pending one stays closed until opened. */
export function citizenIntimations(t: Transaction, requestId: string): Promise<IntimationView[]> {
  return views(t, { requestId }, true);
}

/** Staff's view of a request's intimações (the caller checked the right to the request). */
export function requestIntimations(t: Transaction, requestId: string): Promise<IntimationView[]> {
  return views(t, { requestId }, false);
}

/** Staff's view of the intimações of a process (the caller checked the right to the process). */
export async function processIntimations(t: Transaction, processId: string): Promise<IntimationView[]> {
  const requests = await CitizenRequest.findAll({ where: { processId }, attributes: ['id'], transaction: t });
  return views(t, { [Op.or]: [{ processId }, ...(requests.length ? [{ requestId: requests.map((r) => r.id) }] : [])] }, false);
}

/** A document of an acknowledged intimação of the request this session proved (number + code). */
export async function intimationFileForCitizen(requestId: string, intimationId: string, fileId: string): Promise<{ bytes: Buffer; name: string; mime: string }> {
  return inTenant(async (t) => {
    const i = await CitizenIntimation.findOne({ where: { id: intimationId, requestId }, transaction: t });
    const f = i && i.status !== 'pending' ? await CitizenIntimationFile.findOne({ where: { id: fileId, intimationId }, transaction: t }) : null;
    const bytes = f ? await readFile(t, f.sha256) : null;
    if (!f || !bytes) throw new NotFoundError('Documento não encontrado.');
    return { bytes, name: f.fileName, mime: f.mime };
  });
}

/**
 * "Intimar o interessado" from a process converted from a citizen's request: a decision (text and
 * documents) for ciência, by a user of a unit where the process is open (the access predicate,
 * for writing). The request is the newest one converted into this process.
 */
export async function intimateFromProcess(config: Config, actor: Actor, audit: AuditActor, processId: string, body: string, files: CheckedDocument[]): Promise<void> {
  await inTenant(async (t) => {
    await readableProcess(t, actor, processId, { forWriting: true });
    const r = await CitizenRequest.findOne({ where: { processId }, order: [['id', 'DESC']], transaction: t, lock: t.LOCK.UPDATE });
    if (!r) throw new ValidationError('Corrija os campos indicados.', { decisao: 'Este processo não veio de uma solicitação de cidadão: não há a quem intimar pelo portal.' });
    const [type] = await select<{ id: string }>(t, 'SELECT process_type_id::text AS id FROM processes WHERE id = $1', [processId]);
    await issueIntimation(t, config, actor, r, { kind: 'decision', body, processId, processTypeId: type.id, files });
    await recordChange(audit, { action: 'citizen_request.intimate', entity: 'citizen_request', entityId: String(r.id), after: { processId, documents: files.length } });
  });
}

export interface ProcessIntimationsView {
  process: { id: string; number: string; openHere: boolean };
  /** The newest request converted into the process (its citizen is the one intimated), or null. */
  request: { number: string; citizenName: string; citizenEmail: string } | null;
  intimations: IntimationView[];
}

/** The intimações of a process, for a viewer who may read it (the access predicate), and to whom. */
export async function intimationsOfProcess(actor: Actor, processId: string): Promise<ProcessIntimationsView> {
  return inTenant(async (t) => {
    const facts = await readableProcess(t, actor, processId);
    const r = await CitizenRequest.findOne({ where: { processId }, order: [['id', 'DESC']], transaction: t });
    return {
      process: { id: facts.id, number: facts.number, openHere: facts.openInUnit },
      request: r ? { number: r.number!, citizenName: r.citizenName, citizenEmail: r.citizenEmail } : null,
      intimations: await processIntimations(t, processId),
    };
  });
}

/**
 * The process page's slot (the page already ran the access predicate): null for a process no
 * citizen request became (one query), else to whom and the intimações.
 */
export async function intimationSlotOf(processId: string): Promise<Omit<ProcessIntimationsView, 'process'> | null> {
  return inTenant(async (t) => {
    // Every process page asks this, and most processes did not come from a request: one prepared
    // statement on citizen_requests (process_id) (tenant migration 0850) answers it.
    const [r] = await preparedSelect<{ number: string; citizen_name: string; citizen_email: string }>(
      t,
      'SELECT number, citizen_name, citizen_email FROM citizen_requests WHERE process_id = $1 ORDER BY id DESC LIMIT 1',
      [processId],
    );
    if (!r) return null;
    return { request: { number: r.number, citizenName: r.citizen_name, citizenEmail: r.citizen_email }, intimations: await processIntimations(t, processId) };
  });
}
