import { Readable } from 'node:stream';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { sendFile } from '../documents/download';
import { ACCEPTED_TYPES, DOCUMENTS_FIELD, MAX_DOCUMENTS, formatBytes } from '../documents/upload';
import { NotFoundError } from '../errors';
import type { Services } from '../services';
import { NO_INPUT, idParams, input, parseForm, type FieldErrors } from '../validation';
import { renderForm, type FormState } from '../web/forms';
import { publishedService, publishedServices } from './catalog';
import { confirmEmailIdentification, readDraft, receiptOf, saveDraft, startEmailIdentification, submitDraft, CONFIRMATION_HOURS } from './filing';
import { amendmentByToken, fulfilAmendment, openAmendment } from './amendments';
import { findByNumberAndCode, followView } from './following';
import { GovbrUnavailableError } from '../govbr/client';
import { GovbrTicketError } from '../govbr/service';
import { identifiedCitizen, identifyCitizen, meetsTrustRequirement, TRUST_LEVEL_LABELS, type CitizenIdentity } from './identity';
import { idFrom } from './params';
import { answerText, DECLARATION } from './receipt';
import { answersSchema, checkAttachments, checkDocuments, identificationSchema, MAX_TOTAL_BYTES, type UploadedFile } from './requestValidation';
import { acknowledgeIntimation, intimationFileForCitizen } from './intimations';
import { fileIntercurrent } from './intercurrent';
import { DOCUMENTS_RULE } from './uploads';
import { flash, takeFlash } from '../web/flash';
import { ProtocolThrottles, type ProtocolLimits, DEFAULT_PROTOCOL_LIMITS } from './throttle';
import { FIELD_KIND_LABELS } from './serviceValidation';
import type { CitizenService, RequestAnswer } from '../models';

declare module 'express-session' {
  interface SessionData {
    /** The citizen's draft request being reviewed. */
    protocolDraft?: { serviceId: string; id: string };
    /** The request just filed: its receipt page shows number and access code once. */
    protocolFiled?: { requestId: string; number: string; accessCode: string };
    /** The request whose number and code (or e-mailed link) this session proved. */
    protocolFollowing?: string;
    /** The complementação whose e-mailed link this session opened. */
    protocolAmendment?: string;
  }
}

const searchSchema = z.object({ q: z.string().max(200, 'Pesquisa longa demais.').optional().default('') });
const tokenSchema = z.object({ token: z.string().max(100).optional().default('') });
const lookupSchema = z.object({
  numero: z.string({ message: 'Informe o número da solicitação.' }).trim().min(1, 'Informe o número da solicitação, como 000123/2026.').max(20, 'Número inválido.'),
  codigo: z.string({ message: 'Informe o código de acesso.' }).trim().min(1, 'Informe o código de acesso recebido por e-mail.').max(40, 'Código inválido.'),
});
const intercurrentSchema = z.object({ descricao: z.string().trim().max(100, 'A descrição pode ter no máximo 100 caracteres.').optional().default('') });
const submitSchema = z.object({ declaracao: z.literal('sim', { message: 'Marque a declaração de responsabilidade para enviar.' }) });

const serviceIdOf = (req: Request): string => idFrom(req.params, 'Serviço não encontrado ou não disponível.');

function ipOf(req: Request): string {
  return req.ip ?? 'unknown';
}

function tenantIdOf(req: Request): string {
  return req.site.type === 'tenant' ? req.site.tenant.id : 'platform';
}

/** The view model of a service's form: each field by kind, each attachment slot with what it takes. */
function formModel(service: CitizenService, values: Record<string, unknown>, errors: FieldErrors): Record<string, unknown> {
  return {
    fields: service.fields.map((f) => ({
      ...f,
      id: `campo_${f.key}`,
      kindLabel: FIELD_KIND_LABELS[f.kind],
      isText: f.kind === 'text' || f.kind === 'document' || f.kind === 'number',
      isLong: f.kind === 'longText',
      isDate: f.kind === 'date',
      isChoice: f.kind === 'choice',
      hint: f.kind === 'document' ? 'CPF (11 dígitos) ou CNPJ (14 caracteres).' : f.kind === 'number' ? 'Somente números; use vírgula para decimais.' : undefined,
      value: typeof values[`campo_${f.key}`] === 'string' ? values[`campo_${f.key}`] : '',
      choices: f.options.map((o) => ({ value: o, label: o, selected: values[`campo_${f.key}`] === o })),
      error: errors[`campo_${f.key}`],
    })),
    attachments: service.attachments.map((a) => ({
      ...a,
      id: `anexo_${a.key}`,
      typesLabel: a.types.map((t) => ACCEPTED_TYPES[t]?.label ?? t).join(', '),
      accept: a.types.map((t) => ACCEPTED_TYPES[t]?.mime).filter(Boolean).join(','),
      maxLabel: formatBytes(a.maxBytes),
      error: errors[`anexo_${a.key}`],
    })),
    totalLabel: formatBytes(MAX_TOTAL_BYTES),
  };
}

/** The citizen portal on the tenant host: /protocolo (public, no login). */
export default function protocolPortalRoutes({ config, sequelize, govbr }: Services, limits: ProtocolLimits = DEFAULT_PROTOCOL_LIMITS): Router {
  const throttles = new ProtocolThrottles(sequelize, limits);
  const router = Router();
  // The tenant layout shows the portal's menu and search instead of the staff's.
  router.use('/protocolo', (_req, res, next) => {
    res.locals.portal = true;
    next();
  });

  router.get('/protocolo', input(NO_INPUT), async (req, res) => {
    const parsed = searchSchema.safeParse(req.query);
    const q = parsed.success ? parsed.data.q : '';
    res.render('protocol/portal-list', { title: 'Protocolo: serviços ao cidadão', q, services: await publishedServices(q), searchError: parsed.success ? undefined : 'Pesquisa longa demais.' });
  });

  const renderService = async (req: Request, res: Response, status: number, service: CitizenService, extra: Record<string, unknown> = {}, form: FormState = {}): Promise<void> => {
    const citizen = identifiedCitizen(req);
    renderForm(res, 'protocol/portal-service', status, {
      title: service.name,
      service: { id: String(service.id), name: service.name, guidanceHtml: service.guidanceHtml, minTrustLevel: service.minTrustLevel },
      citizen,
      govbr: !!govbr,
      // The service asks more than this identification has: what the citizen must do.
      trustShortfall: citizen && !meetsTrustRequirement(citizen, service.minTrustLevel) ? trustShortfall(citizen, service) : undefined,
      ...extra,
    }, form);
  };

  const trustShortfall = (citizen: CitizenIdentity, service: CitizenService): Record<string, unknown> => ({
    required: service.minTrustLevel,
    current: citizen.method === 'govbr' ? TRUST_LEVEL_LABELS[citizen.trustLevel ?? 'bronze'] : null,
  });

  // Sign-in with gov.br as the identification step: begin here, gov.br, the platform callback, and
  // back at /protocolo/govbr with a one-time ticket bound to this browser's session.
  if (govbr) {
    router.get('/protocolo/servicos/:id/govbr', input({ params: idParams('id') }), async (req, res) => {
      const service = await publishedService(serviceIdOf(req));
      try {
        res.redirect(await govbr.begin(req, 'citizen', '/protocolo/govbr', `/protocolo/servicos/${service.id}/formulario`));
      } catch (err) {
        if (!(err instanceof GovbrUnavailableError)) throw err;
        req.log?.warn({ err: err.message }, 'gov.br indisponível');
        await renderService(req, res, 503, service, { failure: 'O gov.br não respondeu. Tente de novo em alguns minutos, ou identifique-se com o seu e-mail abaixo.' });
      }
    });

    router.get('/protocolo/govbr', input(NO_INPUT), async (req, res) => {
      let redeemed: Awaited<ReturnType<typeof govbr.redeem>>;
      try {
        redeemed = await govbr.redeem(req, 'citizen');
      } catch (err) {
        if (!(err instanceof GovbrTicketError)) throw err;
        return res.status(410).render('protocol/portal-link-invalid', { title: 'Link inválido ou expirado' });
      }
      const next = /^\/protocolo\/servicos\/(\d{1,18})\/formulario$/.exec(redeemed.nextPath);
      const { identity } = redeemed;
      if (!next) return res.redirect('/protocolo');
      const service = await publishedService(next[1]);
      // Receipts and answers go by e-mail: without one gov.br confirmed, the e-mail link is the way.
      if (!identity.email || !identity.emailVerified) {
        return renderService(
          req,
          res,
          422,
          service,
          { failure: 'A sua conta gov.br não tem um e-mail confirmado. Confirme um e-mail abaixo para receber o recibo e as respostas.' },
          { values: { name: identity.name, cpf: identity.cpf } },
        );
      }
      await identifyCitizen(req, { name: identity.name, cpf: identity.cpf, email: identity.email, method: 'govbr', trustLevel: identity.trustLevel, verifiedAt: new Date().toISOString() });
      res.redirect(redeemed.nextPath);
    });
  }

  router.get('/protocolo/servicos/:id', input({ params: idParams('id') }), async (req, res) => {
    await renderService(req, res, 200, await publishedService(serviceIdOf(req)));
  });

  router.post('/protocolo/servicos/:id/identificacao', input({ params: idParams('id') }), async (req, res) => {
    const service = await publishedService(serviceIdOf(req));
    const parsed = parseForm(identificationSchema, req.body);
    const values = req.body as Record<string, unknown>;
    if (!parsed.ok) return renderService(req, res, 422, service, {}, { errors: parsed.errors, values });
    if (!(await throttles.allowFiling(tenantIdOf(req), ipOf(req), parsed.data.email))) {
      return renderService(req, res, 429, service, { failure: 'Muitos pedidos a partir desta rede ou para este e-mail. Aguarde uma hora e tente de novo.' }, { values });
    }
    await startEmailIdentification(config, String(service.id), parsed.data);
    res.render('protocol/portal-check-email', { title: 'Confirme o seu e-mail', email: parsed.data.email, hours: CONFIRMATION_HOURS, service: { id: String(service.id), name: service.name } });
  });

  router.get('/protocolo/confirmar', input(NO_INPUT), async (req, res) => {
    const parsed = tokenSchema.safeParse(req.query);
    const confirmed = parsed.success ? await confirmEmailIdentification(parsed.data.token) : null;
    if (!confirmed) return res.status(410).render('protocol/portal-link-invalid', { title: 'Link inválido ou expirado' });
    await identifyCitizen(req, confirmed.identity);
    res.redirect(`/protocolo/servicos/${confirmed.serviceId}/formulario`);
  });

  /** The identified citizen who may file in `service`; otherwise back to identification (or its shortfall). */
  const requireCitizen = (req: Request, res: Response, service: CitizenService): ReturnType<typeof identifiedCitizen> => {
    const citizen = identifiedCitizen(req);
    if (!citizen || !meetsTrustRequirement(citizen, service.minTrustLevel)) {
      res.redirect(`/protocolo/servicos/${service.id}#identificacao`);
      return null;
    }
    return citizen;
  };

  const renderAnswers = (res: Response, status: number, service: CitizenService, citizen: NonNullable<ReturnType<typeof identifiedCitizen>>, values: Record<string, unknown>, errors: FieldErrors = {}): void => {
    renderForm(res, 'protocol/portal-form', status, { title: `${service.name}: formulário`, service: { id: String(service.id), name: service.name }, citizen, ...formModel(service, values, errors) }, { values, errors });
  };

  router.get('/protocolo/servicos/:id/formulario', input({ params: idParams('id') }), async (req, res) => {
    const service = await publishedService(serviceIdOf(req));
    const citizen = requireCitizen(req, res, service);
    if (!citizen) return;
    const draft = req.session.protocolDraft?.serviceId === String(service.id) ? await readDraft(req.session.protocolDraft.id, String(service.id), citizen).catch(() => null) : null;
    const values = Object.fromEntries((draft?.answers ?? []).map((a: RequestAnswer) => [`campo_${a.key}`, a.value]));
    renderAnswers(res, 200, service, citizen, values);
  });

  router.post('/protocolo/servicos/:id/formulario', input({ params: idParams('id') }), async (req, res) => {
    const service = await publishedService(serviceIdOf(req));
    const citizen = requireCitizen(req, res, service);
    if (!citizen) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = parseForm(answersSchema(service.fields), body);
    const files = (Array.isArray(req.files) ? req.files : []) as UploadedFile[];
    const checked = await checkAttachments(service.attachments, files);
    const errors: FieldErrors = { ...(parsed.ok ? {} : parsed.errors), ...checked.errors };
    if (req.uploadError) errors[service.attachments[0] ? `anexo_${service.attachments[0].key}` : '_form'] = req.uploadError;
    if (!parsed.ok || Object.keys(errors).length) return renderAnswers(res, 422, service, citizen, body, errors);
    const previous = req.session.protocolDraft?.id ?? null;
    const id = await saveDraft(String(service.id), citizen, parsed.data, checked.files, previous);
    req.session.protocolDraft = { serviceId: String(service.id), id };
    res.redirect(`/protocolo/servicos/${service.id}/revisao`);
  });

  const renderReview = async (req: Request, res: Response, status: number, service: CitizenService, errors: FieldErrors = {}, failure?: string): Promise<void> => {
    const citizen = identifiedCitizen(req)!;
    const draftRef = req.session.protocolDraft;
    if (!draftRef || draftRef.serviceId !== String(service.id)) throw new NotFoundError('Nenhum formulário preenchido para revisar: preencha o formulário do serviço.');
    const draft = await readDraft(draftRef.id, String(service.id), citizen);
    renderForm(res, 'protocol/portal-review', status, {
      title: `${service.name}: revisão`,
      service: { id: String(service.id), name: service.name },
      citizen,
      answers: draft.answers.map((a) => ({ label: a.label, value: answerText(a) })),
      files: draft.files.map((f) => ({ ...f, sizeLabel: formatBytes(f.size) })),
      declaration: DECLARATION,
      failure,
    }, { errors });
  };

  router.get('/protocolo/servicos/:id/revisao', input({ params: idParams('id') }), async (req, res) => {
    const service = await publishedService(serviceIdOf(req));
    if (!requireCitizen(req, res, service)) return;
    await renderReview(req, res, 200, service);
  });

  router.post('/protocolo/servicos/:id/enviar', input({ params: idParams('id') }), async (req, res) => {
    const service = await publishedService(serviceIdOf(req));
    const citizen = requireCitizen(req, res, service);
    if (!citizen) return;
    const parsed = parseForm(submitSchema, req.body);
    if (!parsed.ok) return renderReview(req, res, 422, service, parsed.errors);
    const draftRef = req.session.protocolDraft;
    if (!draftRef || draftRef.serviceId !== String(service.id)) throw new NotFoundError('Nenhum formulário preenchido para enviar: preencha o formulário do serviço.');
    if (!(await throttles.allowFiling(tenantIdOf(req), ipOf(req), citizen.email))) {
      return renderReview(req, res, 429, service, {}, 'Muitas solicitações a partir desta rede ou deste e-mail. Aguarde uma hora e envie de novo; o seu formulário foi guardado.');
    }
    const filed = await submitDraft(config, draftRef.id, String(service.id), citizen, req.ip ?? null);
    req.session.protocolDraft = undefined;
    req.session.protocolFiled = filed;
    req.session.protocolFollowing = filed.requestId;
    res.redirect(303, '/protocolo/recibo');
  });

  router.get('/protocolo/recibo', input(NO_INPUT), async (req, res) => {
    const filed = req.session.protocolFiled;
    if (!filed) throw new NotFoundError('Nenhuma solicitação enviada nesta sessão. Para acompanhar uma solicitação, use o número e o código de acesso.');
    const view = await followView(filed.requestId);
    res.render('protocol/portal-receipt', { title: `Solicitação nº ${filed.number} recebida`, filed, view, citizen: identifiedCitizen(req) });
  });

  const sendReceipt = async (req: Request, res: Response, requestId: string | undefined): Promise<void> => {
    if (!requestId) throw new NotFoundError('Recibo não encontrado.');
    const receipt = await receiptOf(requestId);
    await sendFile(req, res, { name: receipt.fileName, mime: 'application/pdf', size: receipt.bytes.length, open: () => Readable.from([receipt.bytes]) }, 'inline');
  };

  router.get('/protocolo/recibo.pdf', input(NO_INPUT), (req, res) => sendReceipt(req, res, req.session.protocolFiled?.requestId));

  const renderLookup = (res: Response, status: number, extra: Record<string, unknown> = {}, form: FormState = {}): void => {
    renderForm(res, 'protocol/portal-lookup', status, { title: 'Acompanhar solicitação', ...extra }, form);
  };

  /** Number + code (form or e-mailed link): the same answer for an unknown number and a wrong code. */
  const lookUp = async (req: Request, res: Response, input: unknown): Promise<void> => {
    const parsed = parseForm(lookupSchema, input);
    const values = (input ?? {}) as Record<string, unknown>;
    if (!parsed.ok) return renderLookup(res, 422, {}, { errors: parsed.errors, values });
    const wait = await throttles.lookupByIp.blockedFor(ipOf(req));
    if (wait > 0) return renderLookup(res, 429, { failure: `Muitas tentativas sem sucesso a partir desta rede. Tente de novo em ${Math.ceil(wait / 60)} minuto(s).` }, { values });
    const requestId = await findByNumberAndCode(parsed.data.numero, parsed.data.codigo);
    if (!requestId) {
      await throttles.lookupByIp.failed(ipOf(req));
      return renderLookup(res, 404, { failure: 'Número ou código de acesso não conferem. Confira os dados do e-mail de recebimento.' }, { values: { numero: parsed.data.numero } });
    }
    req.session.protocolFollowing = requestId;
    res.redirect(303, '/protocolo/acompanhar/solicitacao');
  };

  router.get('/protocolo/acompanhar', input(NO_INPUT), async (req, res) => {
    if (typeof req.query.numero === 'string' || typeof req.query.codigo === 'string') return lookUp(req, res, req.query);
    renderLookup(res, 200);
  });

  router.post('/protocolo/acompanhar', input(NO_INPUT), (req, res) => lookUp(req, res, req.body));

  const renderStatus = async (req: Request, res: Response, status: number, requestId: string, form: FormState = {}): Promise<void> => {
    const view = await followView(requestId);
    renderForm(res, 'protocol/portal-status', status, {
      title: `Solicitação nº ${view.number}`,
      view,
      files: view.files.map((f) => ({ ...f, sizeLabel: formatBytes(f.size) })),
      intimations: view.intimations.map((i) => ({ ...i, files: i.files.map((f) => ({ ...f, sizeLabel: formatBytes(f.size) })) })),
      documentsHint: DOCUMENTS_RULE,
      flash: takeFlash(req),
    }, form);
  };

  router.get('/protocolo/acompanhar/solicitacao', input(NO_INPUT), async (req, res) => {
    const requestId = req.session.protocolFollowing;
    if (!requestId) return res.redirect('/protocolo/acompanhar');
    await renderStatus(req, res, 200, requestId);
  });

  /** Opening an intimação of the followed request records the citizen's ciência (date, time, how). */
  router.post('/protocolo/acompanhar/intimacoes/:id/ciencia', input({ params: idParams('id') }), async (req, res) => {
    const requestId = req.session.protocolFollowing;
    if (!requestId) return res.redirect(303, '/protocolo/acompanhar');
    const intimationId = idFrom(req.params, 'Intimação não encontrada.');
    await acknowledgeIntimation(requestId, intimationId, req.ip ?? null);
    res.redirect(303, `/protocolo/acompanhar/solicitacao#intimacao-${intimationId}`);
  });

  router.get('/protocolo/acompanhar/intimacoes/:id/documentos/:fileId/arquivo', input({ params: idParams('id', 'fileId') }), async (req, res) => {
    const requestId = req.session.protocolFollowing;
    if (!requestId) throw new NotFoundError('Documento não encontrado.');
    const fileId = idFrom({ id: req.params.fileId }, 'Documento não encontrado.');
    const file = await intimationFileForCitizen(requestId, idFrom(req.params, 'Documento não encontrado.'), fileId);
    await sendFile(req, res, { name: file.name, mime: file.mime, size: file.bytes.length, open: () => Readable.from([file.bytes]) });
  });

  /** Peticionamento intercorrente: documents into the process the followed request became. */
  router.post('/protocolo/acompanhar/peticionar', input(NO_INPUT), async (req, res) => {
    const requestId = req.session.protocolFollowing;
    if (!requestId) return res.redirect(303, '/protocolo/acompanhar');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = parseForm(intercurrentSchema, body);
    const files = (Array.isArray(req.files) ? req.files : []) as UploadedFile[];
    const checked = await checkDocuments(files, DOCUMENTS_FIELD, { max: MAX_DOCUMENTS, required: true });
    const errors: FieldErrors = { ...(parsed.ok ? {} : parsed.errors) };
    const fileError = req.uploadError ?? checked.error;
    if (fileError) errors[DOCUMENTS_FIELD] = fileError;
    if (!parsed.ok || Object.keys(errors).length) return renderStatus(req, res, 422, requestId, { errors, values: body });
    const filed = await fileIntercurrent(config, requestId, checked.files, parsed.data.descricao);
    flash(req, `${filed.documents} documento(s) juntado(s) ao processo nº ${filed.processNumber}. A unidade responsável foi avisada.`);
    res.redirect(303, '/protocolo/acompanhar/solicitacao#peticionamento');
  });

  router.get('/protocolo/complementar', input(NO_INPUT), async (req, res) => {
    if (typeof req.query.token === 'string') {
      const parsed = tokenSchema.safeParse(req.query);
      const id = parsed.success ? await amendmentByToken(parsed.data.token) : null;
      if (!id) return res.status(410).render('protocol/portal-link-invalid', { title: 'Link inválido ou expirado' });
      req.session.protocolAmendment = id;
      return res.redirect('/protocolo/complementar');
    }
    const id = req.session.protocolAmendment;
    if (!id) throw new NotFoundError('Abra o link de complementação enviado por e-mail.');
    const amendment = await openAmendment(id);
    const values = Object.fromEntries(amendment.answers.map((a) => [`campo_${a.key}`, a.value]));
    res.render('protocol/portal-amendment', { title: `Complementar a solicitação nº ${amendment.number}`, amendment, ...formModel(amendment.service, values, {}) });
  });

  router.post('/protocolo/complementar', input(NO_INPUT), async (req, res) => {
    const id = req.session.protocolAmendment;
    if (!id) throw new NotFoundError('Abra o link de complementação enviado por e-mail.');
    const amendment = await openAmendment(id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = parseForm(answersSchema(amendment.service.fields), body);
    const files = (Array.isArray(req.files) ? req.files : []) as UploadedFile[];
    const checked = await checkAttachments(amendment.service.attachments, files, amendment.service.attachments);
    const errors: FieldErrors = { ...(parsed.ok ? {} : parsed.errors), ...checked.errors };
    if (req.uploadError) errors[amendment.service.attachments[0] ? `anexo_${amendment.service.attachments[0].key}` : '_form'] = req.uploadError;
    if (!parsed.ok || Object.keys(errors).length) {
      return renderForm(res, 'protocol/portal-amendment', 422, { title: `Complementar a solicitação nº ${amendment.number}`, amendment, ...formModel(amendment.service, body, errors) }, { values: body, errors });
    }
    const requestId = await fulfilAmendment(id, parsed.data, checked.files, '');
    req.session.protocolAmendment = undefined;
    req.session.protocolFollowing = requestId;
    res.redirect(303, '/protocolo/acompanhar/solicitacao');
  });

  router.get('/protocolo/acompanhar/recibo.pdf', input(NO_INPUT), (req, res) => sendReceipt(req, res, req.session.protocolFollowing));

  return router;
}
