import { CitizenRequest, CitizenRequestEvent, CitizenRequestFile, CitizenService, Process, type CitizenRequestStatus } from '../models';
import { NotFoundError } from '../errors';
import { inTenant } from '../tenancy/context';
import { normaliseAccessCode, secretMatches } from './codes';
import { intercurrentTarget } from './intercurrent';
import { citizenIntimations, type IntimationView } from './intimations';
import { answerText } from './receipt';

export const REQUEST_STATUS_LABELS: Record<CitizenRequestStatus, string> = {
  draft: 'Rascunho',
  received: 'Recebida',
  in_review: 'Em análise',
  awaiting_amendment: 'Aguardando complementação',
  converted: 'Convertida em processo',
  answered: 'Respondida',
  archived: 'Arquivada',
  cancelled: 'Cancelada',
};

const NUMBER = /^(\d{6})\/(\d{4})$/;

/** The number as typed ("123/2026", "000123/2026") in its stored form, or null. */
export function normaliseRequestNumber(input: string): string | null {
  const m = /^\s*(\d{1,6})\s*\/\s*(\d{4})\s*$/.exec(input);
  return m ? `${m[1].padStart(6, '0')}/${m[2]}` : null;
}

/**
 * The request whose number and access code both match, or null. An unknown number costs the same
 * hash comparison as a wrong code, and both answer the same (no enumeration).
 */
export async function findByNumberAndCode(number: string, code: string): Promise<string | null> {
  const n = normaliseRequestNumber(number);
  const c = normaliseAccessCode(code);
  const request = n && NUMBER.test(n) ? await inTenant((t) => CitizenRequest.findOne({ where: { number: n }, attributes: ['id', 'accessCodeHash', 'status'], transaction: t })) : null;
  const ok = secretMatches(c, request?.accessCodeHash ?? null);
  return ok && request && request.status !== 'draft' ? String(request.id) : null;
}

export interface FollowView {
  id: string;
  number: string;
  serviceName: string;
  status: CitizenRequestStatus;
  statusLabel: string;
  processNumber: string | null;
  submittedAt: Date;
  /** An answer given before intimações existed; a newer one is in `intimations`, closed until opened. */
  answer: string | null;
  intimations: IntimationView[];
  /** Converted into a process: the citizen may file documents into it (peticionamento intercorrente). */
  canFile: boolean;
  answers: { label: string; value: string }[];
  files: { attachmentName: string; fileName: string; size: number; sha256: string }[];
  history: { at: Date; description: string }[];
}

/** What the citizen sees of their request (only after number + code, or a link, proved it theirs). */
export async function followView(requestId: string): Promise<FollowView> {
  return inTenant(async (t) => {
    const r = await CitizenRequest.findByPk(requestId, { transaction: t });
    if (!r || r.status === 'draft' || !r.number || !r.submittedAt) throw new NotFoundError('Solicitação não encontrada.');
    const service = await CitizenService.findByPk(r.serviceId, { transaction: t });
    const process = r.processId ? await Process.findByPk(r.processId, { attributes: ['number'], transaction: t }) : null;
    const events = await CitizenRequestEvent.findAll({ where: { requestId }, order: [['id', 'ASC']], transaction: t });
    const files = await CitizenRequestFile.findAll({ where: { requestId }, order: [['id', 'ASC']], transaction: t });
    const intimations = await citizenIntimations(t, requestId);
    return {
      id: requestId,
      number: r.number,
      serviceName: service?.name ?? '',
      status: r.status as CitizenRequestStatus,
      statusLabel: REQUEST_STATUS_LABELS[r.status as CitizenRequestStatus],
      processNumber: process?.number ?? null,
      submittedAt: r.submittedAt,
      answer: intimations.length ? null : r.answerText,
      intimations,
      canFile: !!(await intercurrentTarget(t, r)),
      answers: r.answers.map((a) => ({ label: a.label, value: answerText(a) })),
      files: files.map((f) => ({ attachmentName: f.attachmentName, fileName: f.fileName, size: Number(f.size), sha256: f.sha256 })),
      history: events.map((e) => ({ at: e.createdAt, description: e.description })),
    };
  });
}
