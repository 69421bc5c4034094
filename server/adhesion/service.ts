import { UniqueConstraintError, type Sequelize } from 'sequelize';
import type { Config } from '../config';
import { platformSelect } from '../db/sql';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import formatDateTime from '../helpers/formatDateTime';
import { enqueueMail } from '../mail/outbox';
import { AdhesionEvent, AdhesionRequest, type AdhesionData, type AdhesionStatus } from '../models';
import { platformUrl, tenantUrl } from '../tenancy/urls';
import { AGREEMENT_VERSION } from './agreement';
import { municipalityByCode, stateByUf } from './ibge';
import { formatCnpj } from '../formatting';
import { foldName } from './rules';
import { ADHESION_TOKEN_TTL_HOURS, findAdhesionToken, issueAdhesionToken } from './tokens';

/** The six steps of the wizard, in order; `path` is the URL under /adesao. */
export const STEPS = [
  { n: 1, path: 'ente', title: 'Ente' },
  { n: 2, path: 'orgao', title: 'Órgão' },
  { n: 3, path: 'gestor', title: 'Gestor responsável' },
  { n: 4, path: 'configuracao', title: 'Configuração inicial' },
  { n: 5, path: 'termo', title: 'Termo de adesão' },
  { n: 6, path: 'revisao', title: 'Revisão' },
] as const;

export type StepPath = (typeof STEPS)[number]['path'];
export type Ente = NonNullable<AdhesionData['ente']>;

export interface ApplicantContext {
  ip?: string | null;
}

/** Which government a request is for: one key per municipality, state, or organ (UF + name). */
export function enteKeyOf(ente: Ente): string {
  if (ente.kind === 'municipio') return `municipio:${ente.ibgeCode}`;
  if (ente.kind === 'estado') return `estado:${ente.uf}`;
  return `orgao:${ente.uf}:${foldName(ente.orgName ?? '')}`;
}

/** "Angra dos Reis (RJ)", "Maranhão", "Consórcio Intermunicipal do Vale (RJ)". */
export function enteLabel(ente: Ente): string {
  if (ente.kind === 'municipio') {
    const m = municipalityByCode(ente.ibgeCode ?? '');
    return m ? `${m.name} (${m.uf})` : `Município ${ente.ibgeCode}`;
  }
  if (ente.kind === 'estado') return stateByUf(ente.uf)?.name ?? ente.uf;
  return `${ente.orgName} (${ente.uf})`;
}

/**
 * Why this ente cannot file a request now — it already has a tenant, or a request under review —
 * in words for the applicant; null when it can. A request is not its own duplicate: neither the
 * request itself nor the tenant it created (`excludeTenantId`, once approved) count.
 */
export async function duplicateOf(
  sequelize: Sequelize,
  ente: Ente,
  excludeRequestId?: string | null,
  excludeTenantId?: string | null,
): Promise<string | null> {
  const label = enteLabel(ente);
  const tenants = await platformSelect<{ slug: string; name: string; status: string }>(
    sequelize,
    `SELECT slug, name, status FROM platform.tenants
      WHERE kind = $1 AND uf = $2 AND id <> $5
        AND CASE $1 WHEN 'municipio' THEN ibge_code = $3
                    WHEN 'estado' THEN true
                    ELSE extensions.immutable_unaccent(lower(name)) = $4 END
      LIMIT 1`,
    [ente.kind, ente.uf, ente.ibgeCode ?? '', foldName(ente.orgName ?? ''), excludeTenantId ?? 0],
  );
  if (tenants[0]) {
    const t = tenants[0];
    return t.status === 'active'
      ? `${label} já usa o PEN Nuvem: ${t.name} está ativo no endereço ${t.slug}. Não é preciso um novo pedido.`
      : `${label} já aderiu ao PEN Nuvem (${t.name}, endereço ${t.slug}), hoje suspenso. Procure o MGI para reativá-lo.`;
  }
  const pending = await platformSelect<{ id: string; submitted_at: Date }>(
    sequelize,
    `SELECT id, submitted_at FROM platform.adhesion_requests
      WHERE ente_key = $1 AND status IN ('submitted', 'provisioning', 'provisioning_failed') AND id <> $2 LIMIT 1`,
    [enteKeyOf(ente), excludeRequestId ?? 0],
  );
  if (pending[0]) {
    return `Já existe um pedido de adesão de ${label} em análise pelo MGI (pedido nº ${pending[0].id}, enviado em ${formatDateTime(pending[0].submitted_at)}). Aguarde a decisão.`;
  }
  return null;
}

/** Why this tenant address cannot be taken (in use or held by a request under review); null when free. */
export async function slugTaken(sequelize: Sequelize, slug: string, excludeRequestId?: string | null): Promise<string | null> {
  const rows = await platformSelect<{ n: string }>(
    sequelize,
    `SELECT (SELECT count(*) FROM platform.tenants WHERE slug = $1)
          + (SELECT count(*) FROM platform.adhesion_requests
              WHERE slug = $1 AND status IN ('submitted', 'provisioning', 'provisioning_failed') AND id <> $2) AS n`,
    [slug, excludeRequestId ?? 0],
  );
  return Number(rows[0].n) > 0 ? `O endereço ${slug} já está em uso. Escolha outro.` : null;
}

async function record(requestId: string, action: string, details: Record<string, unknown> = {}): Promise<void> {
  await AdhesionEvent.create({ requestId, actorType: 'applicant', actorId: null, action, details });
}

function requireDraft(request: AdhesionRequest | null): AdhesionRequest {
  if (!request) throw new NotFoundError('Pedido de adesão não encontrado. Comece um novo pedido.');
  if (request.status !== 'draft') throw new ConflictError('Este pedido já foi enviado ao MGI e não pode mais ser alterado.');
  return request;
}

/** The draft, locked for update in the caller's transaction (CLS carries it). */
async function lockedDraft(requestId: string): Promise<AdhesionRequest> {
  return requireDraft(await AdhesionRequest.findByPk(requestId, { lock: true }));
}

/** Step 1: creates the draft (or updates it). Refuses an ente that already has a tenant or a request under review. */
export async function saveEnte(sequelize: Sequelize, requestId: string | null, ente: Ente): Promise<AdhesionRequest> {
  return sequelize.transaction(async () => {
    const request = requestId ? await lockedDraft(requestId) : null;
    const duplicate = await duplicateOf(sequelize, ente, request?.id);
    if (duplicate) throw new ConflictError(duplicate);
    const changes = {
      kind: ente.kind,
      uf: ente.uf,
      ibgeCode: ente.ibgeCode,
      enteName: enteLabel(ente),
      enteKey: enteKeyOf(ente),
    };
    if (!request) {
      const created = await AdhesionRequest.create({ ...changes, completedStep: 1, data: { ente } });
      await record(String(created.id), 'draft.created', { ente: changes.enteName });
      return created;
    }
    await request.update({ ...changes, completedStep: Math.max(request.completedStep, 1), data: { ...request.data, ente } });
    await record(String(request.id), 'step.saved', { step: 1 });
    return request;
  });
}

function stepGuard(request: AdhesionRequest, step: number): void {
  if (request.completedStep < step - 1) throw new ConflictError(`Preencha antes a etapa ${step - 1}.`);
}

export async function saveOrgan(sequelize: Sequelize, requestId: string, organ: NonNullable<AdhesionData['organ']>): Promise<void> {
  await sequelize.transaction(async () => {
    const request = await lockedDraft(requestId);
    stepGuard(request, 2);
    await request.update({
      officialName: organ.officialName,
      cnpj: organ.cnpj,
      completedStep: Math.max(request.completedStep, 2),
      data: { ...request.data, organ },
    });
    await record(requestId, 'step.saved', { step: 2 });
  });
}

async function sendConfirmation(config: Config, request: AdhesionRequest): Promise<void> {
  const email = request.managerEmail!;
  const confirm = await issueAdhesionToken(String(request.id), 'confirm', email);
  const resume = await issueAdhesionToken(String(request.id), 'resume', email);
  await enqueueMail({
    to: email,
    subject: 'Confirme o seu e-mail — pedido de adesão ao PEN Nuvem',
    template: 'adhesion-confirm',
    data: {
      name: request.managerName,
      ente: request.enteName,
      confirmLink: platformUrl(config, `/adesao/confirmar?token=${confirm}`),
      resumeLink: platformUrl(config, `/adesao/retomar?token=${resume}`),
      confirmHours: ADHESION_TOKEN_TTL_HOURS.confirm,
      resumeDays: ADHESION_TOKEN_TTL_HOURS.resume / 24,
    },
  });
}

/**
 * Step 3: the gestor. A new (or changed) e-mail must be confirmed again: the message carries the
 * confirmation link and a link to resume the request later.
 */
export async function saveManager(
  sequelize: Sequelize,
  config: Config,
  requestId: string,
  manager: NonNullable<AdhesionData['manager']>,
): Promise<{ confirmationSent: boolean }> {
  return sequelize.transaction(async () => {
    const request = await lockedDraft(requestId);
    stepGuard(request, 3);
    const emailChanged = request.managerEmail !== manager.email;
    await request.update({
      managerName: manager.name,
      managerEmail: manager.email,
      emailConfirmedAt: emailChanged ? null : request.emailConfirmedAt,
      completedStep: Math.max(request.completedStep, 3),
      data: { ...request.data, manager },
    });
    await record(requestId, 'step.saved', { step: 3 });
    if (emailChanged) {
      await sendConfirmation(config, request);
      await record(requestId, 'email.confirmation_sent');
    }
    return { confirmationSent: emailChanged };
  });
}

export async function resendConfirmation(sequelize: Sequelize, config: Config, requestId: string): Promise<void> {
  await sequelize.transaction(async () => {
    const request = await lockedDraft(requestId);
    if (!request.managerEmail) throw new ConflictError('Informe antes o e-mail do gestor (etapa 3).');
    if (request.emailConfirmedAt) return;
    await sendConfirmation(config, request);
    await record(requestId, 'email.confirmation_sent');
  });
}

/** E-mails the gestor a link to continue the draft later (from any browser). */
export async function sendResumeLink(sequelize: Sequelize, config: Config, requestId: string): Promise<string> {
  return sequelize.transaction(async () => {
    const request = await lockedDraft(requestId);
    if (!request.managerEmail) throw new ConflictError('Informe antes o e-mail do gestor (etapa 3) para receber o link.');
    const token = await issueAdhesionToken(requestId, 'resume', request.managerEmail);
    await enqueueMail({
      to: request.managerEmail,
      subject: 'Continue o seu pedido de adesão ao PEN Nuvem',
      template: 'adhesion-resume',
      data: {
        name: request.managerName,
        ente: request.enteName,
        link: platformUrl(config, `/adesao/retomar?token=${token}`),
        days: ADHESION_TOKEN_TTL_HOURS.resume / 24,
      },
    });
    await record(requestId, 'resume_link.sent');
    return request.managerEmail;
  });
}

/** Follows an e-mailed confirmation link: the e-mail is confirmed if it is still the request's. */
export async function confirmEmail(sequelize: Sequelize, raw: string): Promise<AdhesionRequest | null> {
  return sequelize.transaction(async () => {
    const found = await findAdhesionToken(raw, 'confirm');
    if (!found) return null;
    const { token, request } = found;
    await token.update({ usedAt: new Date() });
    if (request.managerEmail === token.email && !request.emailConfirmedAt) {
      await request.update({ emailConfirmedAt: new Date() });
      await record(String(request.id), 'email.confirmed', { email: token.email });
    }
    return request;
  });
}

/** Follows a resume (or status) link: the request it opens, or null when invalid or expired. */
/** The request the applicant's session is working on, if it still exists. */
export async function findRequest(id: string): Promise<AdhesionRequest | null> {
  return AdhesionRequest.findByPk(id);
}

export async function requestFromResumeLink(raw: string): Promise<AdhesionRequest | null> {
  return (await findAdhesionToken(raw, 'resume'))?.request ?? null;
}

export async function saveSetup(sequelize: Sequelize, requestId: string, setup: NonNullable<AdhesionData['setup']>): Promise<void> {
  await sequelize.transaction(async () => {
    const request = await lockedDraft(requestId);
    stepGuard(request, 4);
    const taken = await slugTaken(sequelize, setup.slug, requestId);
    if (taken) throw new ValidationError(taken, { slug: taken });
    await request.update({ slug: setup.slug, completedStep: Math.max(request.completedStep, 4), data: { ...request.data, setup } });
    await record(requestId, 'step.saved', { step: 4 });
  });
}

export async function acceptAgreement(sequelize: Sequelize, requestId: string, acceptedName: string, ctx: ApplicantContext): Promise<void> {
  await sequelize.transaction(async () => {
    const request = await lockedDraft(requestId);
    stepGuard(request, 5);
    const agreement = { acceptedName, acceptedAt: new Date().toISOString(), version: AGREEMENT_VERSION };
    await request.update({ completedStep: Math.max(request.completedStep, 5), data: { ...request.data, agreement } });
    await record(requestId, 'agreement.accepted', { name: acceptedName, version: AGREEMENT_VERSION, ip: ctx.ip ?? null });
  });
}

export async function statusMail(config: Config, request: AdhesionRequest, tenantSlug?: string): Promise<void> {
  const token = await issueAdhesionToken(String(request.id), 'resume', request.managerEmail!);
  const subjects: Partial<Record<AdhesionStatus, string>> = {
    submitted: `Pedido de adesão recebido — ${request.enteName}`,
    approved: `Pedido de adesão aprovado — ${request.enteName}`,
    refused: `Pedido de adesão recusado — ${request.enteName}`,
  };
  await enqueueMail({
    to: request.managerEmail!,
    subject: subjects[request.status as AdhesionStatus] ?? `Pedido de adesão — ${request.enteName}`,
    template: 'adhesion-status',
    data: {
      name: request.managerName,
      ente: request.enteName,
      number: String(request.id),
      submitted: request.status === 'submitted',
      approved: request.status === 'approved',
      refused: request.status === 'refused',
      reason: request.refusalReason ?? '',
      tenantLink: tenantSlug ? tenantUrl(config, tenantSlug, '/') : '',
      statusLink: platformUrl(config, `/adesao/retomar?token=${token}`),
    },
  });
}

/**
 * Sends the request to the MGI. Refused unless every step is done and the e-mail confirmed, or when
 * the ente or the address was taken meanwhile (the partial unique indexes settle races).
 */
export async function submitRequest(sequelize: Sequelize, config: Config, requestId: string): Promise<void> {
  try {
    await sequelize.transaction(async () => {
      const request = await lockedDraft(requestId);
      if (request.completedStep < 5) throw new ConflictError('Preencha todas as etapas antes de enviar.');
      if (!request.emailConfirmedAt) {
        throw new ConflictError(`Confirme o e-mail ${request.managerEmail} pelo link que enviamos antes de enviar o pedido.`);
      }
      const duplicate = await duplicateOf(sequelize, request.data.ente!, requestId);
      if (duplicate) throw new ConflictError(duplicate);
      const taken = await slugTaken(sequelize, request.slug!, requestId);
      if (taken) throw new ConflictError(`${taken} Volte à etapa 4.`);
      await request.update({ status: 'submitted', submittedAt: new Date() });
      await record(requestId, 'request.submitted');
      await statusMail(config, request);
    });
  } catch (err) {
    if (err instanceof UniqueConstraintError) {
      throw new ConflictError('Outro pedido para este ente ou para este endereço acabou de ser enviado. Confira a situação antes de tentar de novo.');
    }
    throw err;
  }
}

/** What the pages show of a request: its data as entered, the CNPJ formatted, and where it stands. */
export function summaryOf(request: AdhesionRequest) {
  const d = request.data;
  return {
    id: String(request.id),
    status: request.status,
    enteName: request.enteName,
    ente: d.ente,
    organ: d.organ ? { ...d.organ, cnpjFormatted: formatCnpj(d.organ.cnpj) } : undefined,
    manager: d.manager,
    setup: d.setup,
    agreement: d.agreement,
    emailConfirmed: Boolean(request.emailConfirmedAt),
    submittedAt: request.submittedAt,
    decidedAt: request.decidedAt,
    refusalReason: request.refusalReason,
    slug: request.slug,
    completedStep: request.completedStep,
  };
}
