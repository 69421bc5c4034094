import { CitizenRequest, CitizenRequestAmendment, CitizenRequestEvent, CitizenService, type RequestAnswer } from '../models';
import { NotFoundError } from '../errors';
import { select } from '../db/sql';
import { inTenant } from '../tenancy/context';
import { hashSecret } from './codes';
import { storeRequestFiles } from './filing';
import type { CheckedFile } from './requestValidation';

/** The citizen's side of "solicitar complementação": the e-mailed link, the form, the answer. */

export interface OpenAmendment {
  id: string;
  requestId: string;
  number: string;
  message: string;
  deadlineAt: Date;
  service: CitizenService;
  answers: RequestAnswer[];
}

/** The open, unexpired complementação of a link token, or null. */
export async function amendmentByToken(token: string): Promise<string | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  return inTenant(async (t) => {
    const [row] = await select<{ id: string }>(t, "SELECT id::text FROM citizen_request_amendments WHERE token_hash = $1 AND status = 'open' AND deadline_at > now()", [hashSecret(token)]);
    return row?.id ?? null;
  });
}

export async function openAmendment(id: string): Promise<OpenAmendment> {
  return inTenant(async (t) => {
    const a = await CitizenRequestAmendment.findOne({ where: { id, status: 'open' }, transaction: t });
    const r = a ? await CitizenRequest.findByPk(a.requestId, { transaction: t }) : null;
    const service = r ? await CitizenService.findByPk(r.serviceId, { transaction: t }) : null;
    if (!a || !r || !service || a.deadlineAt <= new Date()) throw new NotFoundError('Esta complementação não está mais aberta.');
    return { id, requestId: String(r.id), number: r.number!, message: a.message, deadlineAt: a.deadlineAt, service, answers: r.answers };
  });
}

/** The citizen's complementação: new answers and files, in one transaction; the request goes back to analysis. */
export async function fulfilAmendment(id: string, answers: RequestAnswer[], files: CheckedFile[], note: string): Promise<string> {
  return inTenant(async (t) => {
    const a = await CitizenRequestAmendment.findOne({ where: { id, status: 'open' }, transaction: t, lock: t.LOCK.UPDATE });
    if (!a || a.deadlineAt <= new Date()) throw new NotFoundError('Esta complementação não está mais aberta.');
    const r = await CitizenRequest.findByPk(a.requestId, { transaction: t, lock: t.LOCK.UPDATE });
    if (!r || r.status !== 'awaiting_amendment') throw new NotFoundError('Esta complementação não está mais aberta.');
    await storeRequestFiles(t, String(r.id), files, id);
    await a.update({ status: 'fulfilled', answeredAt: new Date(), answerText: note || null }, { transaction: t });
    await r.update({ status: 'in_review', answers, unread: true }, { transaction: t });
    await CitizenRequestEvent.create({ requestId: String(r.id), kind: 'amended', description: `Complementação enviada pelo cidadão${files.length ? ` (${files.length} anexo(s))` : ''}`, userId: null }, { transaction: t });
    return String(r.id);
  });
}
