import type { Transaction } from 'sequelize';
import type { Config } from '../config';
import { readFile, storeFile } from '../documents/storage';
import { execute, select } from '../db/sql';
import { NotFoundError, PermissionDeniedError } from '../errors';
import { enqueueMail } from '../mail/outbox';
import { numberingYear } from '../processes/numbering';
import { CitizenIdentification, CitizenRequest, CitizenRequestEvent, CitizenRequestFile, Unit, type RequestAnswer } from '../models';
import { inTenant, requireTenant } from '../tenancy/context';
import { tenantUrl } from '../tenancy/urls';
import { publishedService } from './catalog';
import { hashSecret, newAccessCode, newLinkToken } from './codes';
import { meetsTrustRequirement, type CitizenIdentity } from './identity';
import { buildFilingReceipt } from './receipt';
import type { CheckedFile } from './requestValidation';
import type { IdentificationForm } from './requestValidation';

/** How long an e-mail confirmation link stays valid. */
export const CONFIRMATION_HOURS = 24;

/**
 * Identification by e-mail: a single-use link (only its hash stored) sent through the outbox. The
 * link opens the service's form with the identity confirmed.
 */
export async function startEmailIdentification(config: Config, serviceId: string, form: IdentificationForm): Promise<void> {
  const token = newLinkToken();
  await inTenant(async (t) => {
    const service = await publishedService(serviceId, t);
    await CitizenIdentification.create(
      { serviceId, name: form.name, cpf: form.cpf, email: form.email, tokenHash: hashSecret(token), expiresAt: new Date(Date.now() + CONFIRMATION_HOURS * 3600_000) },
      { transaction: t },
    );
    const tenant = requireTenant();
    await enqueueMail({
      to: form.email,
      subject: `Confirme o seu e-mail — ${service.name}`,
      template: 'protocol-confirm',
      tenantId: tenant.id,
      data: { name: form.name, tenantName: tenant.name, serviceName: service.name, hours: CONFIRMATION_HOURS, link: tenantUrl(config, tenant.slug, `/protocolo/confirmar?token=${token}`) },
    });
  });
}

/** Consumes a confirmation link: the identity it confirms and the service it was asked for, or null. */
export async function confirmEmailIdentification(token: string): Promise<{ identity: CitizenIdentity; serviceId: string } | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  return inTenant(async (t) => {
    const rows = await select<{ id: string; service_id: string; name: string; cpf: string; email: string; confirmed_at: Date }>(
      t,
      `UPDATE citizen_identifications SET confirmed_at = now()
        WHERE token_hash = $1 AND confirmed_at IS NULL AND expires_at > now()
        RETURNING id::text, service_id::text, name, cpf, email, confirmed_at`,
      [hashSecret(token)],
    );
    const row = rows[0];
    if (!row) return null;
    return { serviceId: row.service_id, identity: { name: row.name, cpf: row.cpf, email: row.email, method: 'email', verifiedAt: new Date(row.confirmed_at).toISOString() } };
  });
}

/**
 * The form's answers and files as a draft request of the identified citizen, files stored with it
 * in one transaction. A draft replaced by a new one (the citizen went back) is deleted.
 */
export async function saveDraft(serviceId: string, citizen: CitizenIdentity, answers: RequestAnswer[], files: CheckedFile[], replacing: string | null): Promise<string> {
  return inTenant(async (t) => {
    const service = await publishedService(serviceId, t);
    requireTrust(service.minTrustLevel, citizen);
    if (replacing) await execute(t, "DELETE FROM citizen_requests WHERE id = $1 AND status = 'draft' AND citizen_email = $2", [replacing, citizen.email]);
    const request = await CitizenRequest.create(
      {
        serviceId,
        receivingUnitId: String(service.receivingUnitId),
        citizenName: citizen.name,
        citizenCpf: citizen.cpf,
        citizenEmail: citizen.email,
        identifiedBy: citizen.method,
        trustLevel: citizen.method === 'govbr' ? (citizen.trustLevel ?? 'bronze') : null,
        answers,
      },
      { transaction: t },
    );
    await storeRequestFiles(t, String(request.id), files, null);
    return String(request.id);
  });
}

/** A service that requires a gov.br level refuses a citizen below it (the portal explains before this). */
function requireTrust(required: 'prata' | 'ouro' | null | undefined, citizen: CitizenIdentity): void {
  if (!meetsTrustRequirement(citizen, required)) throw new PermissionDeniedError(`Este serviço exige conta gov.br nível ${required} ou superior.`);
}

export async function storeRequestFiles(t: Transaction, requestId: string, files: CheckedFile[], amendmentId: string | null): Promise<void> {
  for (const f of files) {
    const sha256 = await storeFile(t, f.bytes);
    await CitizenRequestFile.create(
      { requestId, attachmentKey: f.attachment.key, attachmentName: f.attachment.name, fileName: f.fileName, mime: f.mime, size: String(f.bytes.length), sha256, amendmentId },
      { transaction: t },
    );
  }
}

export interface DraftView {
  id: string;
  answers: RequestAnswer[];
  files: { attachmentName: string; fileName: string; size: number; sha256: string }[];
}

/** The citizen's own draft of this service, or 404. */
export async function readDraft(draftId: string, serviceId: string, citizen: CitizenIdentity): Promise<DraftView> {
  return inTenant(async (t) => {
    const request = await CitizenRequest.findOne({ where: { id: draftId, serviceId, status: 'draft', citizenEmail: citizen.email, citizenCpf: citizen.cpf }, transaction: t });
    if (!request) throw new NotFoundError('Rascunho não encontrado: preencha o formulário de novo.');
    const files = await CitizenRequestFile.findAll({ where: { requestId: draftId }, order: [['id', 'ASC']], transaction: t });
    return { id: draftId, answers: request.answers, files: files.map((f) => ({ attachmentName: f.attachmentName, fileName: f.fileName, size: Number(f.size), sha256: f.sha256 })) };
  });
}

async function nextRequestNumber(t: Transaction, now: Date): Promise<string> {
  const year = numberingYear(now);
  const [row] = await select<{ last: number }>(
    t,
    'INSERT INTO citizen_request_counters (year, last) VALUES ($1, 1) ON CONFLICT (year) DO UPDATE SET last = citizen_request_counters.last + 1 RETURNING last',
    [year],
  );
  return `${String(row.last).padStart(6, '0')}/${year}`;
}

export interface Filed {
  requestId: string;
  number: string;
  accessCode: string;
}

/**
 * Files the draft: its number (from a locked counter row), an access code (only the hash kept), the
 * receipt PDF (stored with the request), the first history line and the e-mail with number and code
 * — one transaction.
 */
export async function submitDraft(config: Config, draftId: string, serviceId: string, citizen: CitizenIdentity, ip: string | null, now = new Date()): Promise<Filed> {
  const accessCode = newAccessCode();
  return inTenant(async (t) => {
    const service = await publishedService(serviceId, t);
    requireTrust(service.minTrustLevel, citizen);
    const request = await CitizenRequest.findOne({ where: { id: draftId, serviceId, status: 'draft', citizenEmail: citizen.email, citizenCpf: citizen.cpf }, transaction: t, lock: t.LOCK.UPDATE });
    if (!request) throw new NotFoundError('Rascunho não encontrado: preencha o formulário de novo.');
    const files = await CitizenRequestFile.findAll({ where: { requestId: draftId }, order: [['id', 'ASC']], transaction: t });
    const unit = await Unit.findByPk(service.receivingUnitId, { transaction: t });
    const number = await nextRequestNumber(t, now);
    const tenant = requireTenant();
    const receipt = await buildFilingReceipt({
      tenantName: tenant.name,
      serviceName: service.name,
      number,
      submittedAt: now,
      citizen,
      unit: unit ? `${unit.name} (${unit.acronym})` : '',
      answers: request.answers,
      files: files.map((f) => ({ attachmentName: f.attachmentName, fileName: f.fileName, size: Number(f.size), sha256: f.sha256 })),
    });
    const receiptSha256 = await storeFile(t, receipt);
    await request.update({ status: 'received', number, accessCodeHash: hashSecret(accessCode), receiptSha256, submittedAt: now, submittedIp: ip, unread: true }, { transaction: t });
    await CitizenRequestEvent.create({ requestId: draftId, kind: 'received', description: 'Solicitação recebida', userId: null }, { transaction: t });
    await enqueueMail({
      to: citizen.email,
      subject: `Solicitação nº ${number} recebida — ${service.name}`,
      template: 'protocol-receipt',
      tenantId: tenant.id,
      data: {
        name: citizen.name,
        tenantName: tenant.name,
        serviceName: service.name,
        number,
        accessCode,
        link: tenantUrl(config, tenant.slug, `/protocolo/acompanhar?numero=${encodeURIComponent(number)}&codigo=${encodeURIComponent(accessCode)}`),
        followUrl: tenantUrl(config, tenant.slug, '/protocolo/acompanhar'),
      },
    });
    return { requestId: draftId, number, accessCode };
  });
}

/** The receipt PDF of a filed request (the caller has proven the right to it). */
export async function receiptOf(requestId: string): Promise<{ bytes: Buffer; fileName: string }> {
  return inTenant(async (t) => {
    const request = await CitizenRequest.findByPk(requestId, { transaction: t });
    if (!request?.receiptSha256 || !request.number) throw new NotFoundError('Recibo não encontrado.');
    const bytes = await readFile(t, request.receiptSha256);
    if (!bytes) throw new NotFoundError('Recibo não encontrado.');
    return { bytes, fileName: `recibo-protocolo-${request.number.replace('/', '-')}.pdf` };
  });
}
