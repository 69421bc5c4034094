import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import { ConflictError, ValidationError } from '../errors';
import { bindSessionToHost } from '../middleware/setUpSession';
import type { AdhesionRequest } from '../models';
import type { Services } from '../services';
import { agreeing, withArticle } from '../tenancy/grammar';
import { tenantHost, tenantUrl } from '../tenancy/urls';
import { NO_INPUT, input, parseForm } from '../validation';
import { flash, takeFlash } from '../web/flash';
import { renderForm, type FormState } from '../web/forms';
import { AGREEMENT_CLAUSES } from './agreement';
import { allStates, municipalityByCode, searchMunicipalities, stateByUf, stateGovernmentName } from './ibge';
import { formatCnpj, formatCpf, formatPhone } from '../formatting';
import { slugProblem, suggestAcronym, suggestSlug } from './rules';
import {
  acceptAgreement,
  confirmEmail,
  findRequest,
  requestFromResumeLink,
  resendConfirmation,
  saveEnte,
  saveManager,
  saveOrgan,
  saveSetup,
  sendResumeLink,
  slugTaken,
  type StepPath,
  STEPS,
  submitRequest,
  summaryOf,
} from './service';
import { agreementSchema, enteSchema, managerSchema, MAX_UNIT_ROWS, organSchema, setupSchema } from './validation';

declare module 'express-session' {
  interface SessionData {
    /** The adhesion request this browser is filling in or following. */
    adhesionRequestId?: string;
    /** What was typed on a step left with "Voltar" before it was valid, to show it again. */
    adhesionPending?: Record<string, Record<string, unknown>>;
  }
}

type Values = Record<string, unknown>;

function attach(req: Request, request: AdhesionRequest): void {
  bindSessionToHost(req);
  req.session.adhesionRequestId = String(request.id);
}

async function sessionRequest(req: Request): Promise<AdhesionRequest | null> {
  const id = req.session.adhesionRequestId;
  return id ? findRequest(id) : null;
}

function stepNav(current: number, completed: number) {
  return STEPS.map((s) => ({
    ...s,
    current: s.n === current,
    done: s.n <= completed,
    reachable: s.n <= completed + 1 && s.n !== current,
  }));
}

function stringValues(body: unknown): Values {
  const out: Values = {};
  for (const [k, v] of Object.entries((body ?? {}) as Record<string, unknown>)) if (k !== '_csrf' && typeof v === 'string') out[k] = v;
  return out;
}

/** What each step shows when opened: what was typed and left, or what the draft holds, or suggestions. */
function valuesFor(step: StepPath, request: AdhesionRequest | null, pending: Values | undefined): Values {
  if (pending) return pending;
  const d = request?.data ?? {};
  switch (step) {
    case 'ente':
      return d.ente ? { ...d.ente } : {};
    case 'orgao': {
      if (d.organ) return { ...d.organ, cnpj: formatCnpj(d.organ.cnpj) };
      const e = d.ente;
      let officialName = '';
      if (e?.kind === 'municipio') officialName = `Prefeitura Municipal de ${municipalityByCode(e.ibgeCode ?? '')?.name ?? ''}`;
      else if (e?.kind === 'estado') officialName = stateGovernmentName(stateByUf(e.uf)!);
      else if (e?.orgName) officialName = e.orgName;
      return { officialName };
    }
    case 'gestor':
      return d.manager ? { ...d.manager, cpf: formatCpf(d.manager.cpf), phone: formatPhone(d.manager.phone) } : {};
    case 'configuracao': {
      if (d.setup) {
        const v: Values = { ...d.setup };
        d.setup.units.forEach((u, i) => {
          v[`unit-${i}-acronym`] = u.acronym;
          v[`unit-${i}-name`] = u.name;
        });
        return v;
      }
      const e = d.ente;
      const base = e?.kind === 'municipio' ? municipalityByCode(e.ibgeCode ?? '')?.name : e?.kind === 'estado' ? stateByUf(e.uf)?.name : e?.orgName;
      const officialName = d.organ?.officialName ?? '';
      return {
        slug: suggestSlug(base ?? officialName),
        numberingScheme: 'nup',
        protocolCode: e?.kind === 'municipio' ? (e.ibgeCode ?? '').slice(0, 5) : e ? `${stateByUf(e.uf)?.ibgeCode ?? '00'}000` : '',
        rootAcronym: suggestAcronym(officialName),
        rootName: officialName,
      };
    }
    case 'termo':
      return d.agreement ? { acceptedName: d.agreement.acceptedName } : {};
    default:
      return {};
  }
}

export default function adhesionRoutes({ sequelize, config }: Services): Router {
  const router = Router();

  /** A step of the wizard: `form` is the input shown again (the saved values when there is none) with its errors. */
  function renderStep(req: Request, res: Response, step: StepPath, request: AdhesionRequest | null, status = 200, form: FormState = {}, extra: Values = {}): void {
    const def = STEPS.find((s) => s.path === step)!;
    const values = (form.values as Values | undefined) ?? valuesFor(step, request, req.session.adhesionPending?.[step]);
    const view: Values = {
      title: `${def.title} — Pedido de adesão`,
      stepTitle: def.title,
      stepNumber: def.n,
      steps: stepNav(def.n, request?.completedStep ?? 0),
      previous: STEPS[def.n - 2]?.path,
      request: request ? summaryOf(request) : null,
      tenantHostSuffix: tenantHost(config, ''),
      tenantHost: request?.data.setup?.slug ? tenantHost(config, request.data.setup.slug) : null,
      ...extra,
    };
    if (step === 'ente') {
      const uf = typeof values.uf === 'string' ? values.uf : '';
      const q = typeof values.q === 'string' ? values.q : '';
      view.states = allStates().map((s) => ({ ...s, selected: s.uf === uf }));
      view.municipalities = uf || q ? searchMunicipalities(q, uf || undefined, uf ? 1000 : 50) : [];
      view.filtered = Boolean(uf || q);
    }
    if (step === 'configuracao') {
      const filled = Object.keys(values).filter((k) => /^unit-\d+-acronym$/.test(k) && values[k]).length;
      const rows = Math.min(MAX_UNIT_ROWS, Math.max(Number(values.rows) || 0, filled + 3, 5));
      view.unitRows = Array.from({ length: rows }, (_, i) => ({
        i,
        n: i + 1,
        acronym: values[`unit-${i}-acronym`] ?? '',
        name: values[`unit-${i}-name`] ?? '',
        acronymError: form.errors?.[`unit-${i}-acronym`],
        nameError: form.errors?.[`unit-${i}-name`],
      }));
      view.rowCount = rows;
      view.canAddRows = rows < MAX_UNIT_ROWS;
    }
    if (step === 'termo') {
      view.clauses = AGREEMENT_CLAUSES;
      const organ = request?.data.organ;
      if (organ) {
        const ente = { name: organ.officialName, kind: request.data.ente?.kind };
        view.party = { name: withArticle('', ente), represented: agreeing(ente, 'representado') };
      }
    }
    renderForm(res, `adhesion/${step}`, status, view, { values, errors: form.errors });
  }

  /** The draft of this session, if the step may be opened now; otherwise where to go instead. */
  async function openStep(req: Request, n: number): Promise<{ request: AdhesionRequest | null; redirect?: string }> {
    const request = await sessionRequest(req);
    if (request && request.status !== 'draft') return { request, redirect: '/adesao/situacao' };
    const completed = request?.completedStep ?? 0;
    if (n > completed + 1) return { request, redirect: `/adesao/${STEPS[completed].path}` };
    return { request };
  }

  function afterSave(req: Request, res: Response, step: StepPath): void {
    if (req.session.adhesionPending) delete req.session.adhesionPending[step];
    const n = STEPS.find((s) => s.path === step)!.n;
    const back = req.body?.nav === 'back';
    res.redirect(303, `/adesao/${STEPS[back ? n - 2 : n]?.path ?? 'revisao'}`);
  }

  /** "Voltar" with invalid input: keep what was typed for later and go back anyway. */
  function backWithoutSaving(req: Request, res: Response, step: StepPath): boolean {
    if (req.body?.nav !== 'back') return false;
    const n = STEPS.find((s) => s.path === step)!.n;
    req.session.adhesionPending = { ...req.session.adhesionPending, [step]: stringValues(req.body) };
    res.redirect(303, `/adesao/${STEPS[n - 2].path}`);
    return true;
  }

  router.get('/adesao', input(NO_INPUT), async (req, res) => {
    const request = await sessionRequest(req);
    res.render('adhesion/intro', { title: 'Pedido de adesão', steps: STEPS, request: request ? summaryOf(request) : null });
  });

  router.get('/api/adesao/municipios', input(NO_INPUT), (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 100) : '';
    const uf = typeof req.query.uf === 'string' && stateByUf(req.query.uf) ? req.query.uf : undefined;
    res.json({ municipalities: searchMunicipalities(q, uf, uf && !q ? 1000 : 20) });
  });

  router.get('/api/adesao/endereco', input(NO_INPUT), async (req, res) => {
    const slug = typeof req.query.slug === 'string' ? req.query.slug.trim().toLowerCase().slice(0, 80) : '';
    const problem = slugProblem(slug) ?? (await slugTaken(sequelize, slug, req.session.adhesionRequestId));
    res.json({ slug, available: !problem, message: problem ?? `O endereço ${slug} está disponível.` });
  });

  router.get('/adesao/retomar', input(NO_INPUT), async (req, res) => {
    const request = await requestFromResumeLink(typeof req.query.token === 'string' ? req.query.token : '');
    if (!request) return res.status(410).render('adhesion/link-invalid', { title: 'Link inválido ou expirado' });
    attach(req, request);
    if (request.status !== 'draft') return res.redirect('/adesao/situacao');
    res.redirect(`/adesao/${STEPS[Math.min(request.completedStep, 5)].path}`);
  });

  router.get('/adesao/confirmar', input(NO_INPUT), async (req, res) => {
    const request = await confirmEmail(sequelize, typeof req.query.token === 'string' ? req.query.token : '');
    if (!request) return res.status(410).render('adhesion/link-invalid', { title: 'Link inválido ou expirado' });
    attach(req, request);
    const confirmed = Boolean(request.emailConfirmedAt);
    res.render('adhesion/confirmed', {
      title: confirmed ? 'E-mail confirmado' : 'Link de confirmação desatualizado',
      confirmed,
      request: summaryOf(request),
      next: request.status === 'draft' ? `/adesao/${STEPS[Math.min(request.completedStep, 5)].path}` : '/adesao/situacao',
    });
  });

  router.post('/adesao/reenviar-confirmacao', input(NO_INPUT), async (req, res) => {
    const id = req.session.adhesionRequestId;
    if (!id) return res.redirect(303, '/adesao');
    await resendConfirmation(sequelize, config, id);
    const back = (['gestor', 'configuracao', 'termo', 'revisao'] as const).find((s) => s === req.body?.back) ?? 'gestor';
    flash(req, 'Enviamos um novo link de confirmação', 'info');
    res.redirect(303, `/adesao/${back}`);
  });

  router.post('/adesao/continuar-depois', input(NO_INPUT), async (req, res) => {
    const id = req.session.adhesionRequestId;
    if (!id) return res.redirect(303, '/adesao');
    const email = await sendResumeLink(sequelize, config, id);
    res.render('adhesion/resume-sent', { title: 'Link enviado', email });
  });

  /** Leaves the request of this browser aside (it stays saved) to file another one. */
  router.post('/adesao/novo', input(NO_INPUT), (req, res) => {
    delete req.session.adhesionRequestId;
    delete req.session.adhesionPending;
    res.redirect(303, '/adesao/ente');
  });

  router.get('/adesao/situacao', input(NO_INPUT), async (req, res) => {
    const request = await sessionRequest(req);
    if (!request) return res.redirect('/adesao');
    if (request.status === 'draft') return res.redirect(`/adesao/${STEPS[Math.min(request.completedStep, 5)].path}`);
    res.render('adhesion/status', {
      title: 'Situação do pedido de adesão',
      request: summaryOf(request),
      tenantLink: request.status === 'approved' && request.slug ? tenantUrl(config, request.slug) : null,
    });
  });

  for (const def of STEPS) {
    router.get(`/adesao/${def.path}`, input(NO_INPUT), async (req, res) => {
      const { request, redirect } = await openStep(req, def.n);
      if (redirect) return res.redirect(redirect);
      if (def.path === 'ente' && (typeof req.query.uf === 'string' || typeof req.query.q === 'string')) {
        // The no-JavaScript municipality filter (a GET form).
        const values = { ...valuesFor('ente', request, req.session.adhesionPending?.ente), kind: 'municipio', uf: req.query.uf, q: req.query.q };
        return renderStep(req, res, 'ente', request, 200, { values });
      }
      renderStep(req, res, def.path, request, 200, {}, { resent: takeFlash(req)?.message });
    });
  }

  router.post('/adesao/ente', input(NO_INPUT), async (req, res) => {
    const { request, redirect } = await openStep(req, 1);
    if (redirect) return res.redirect(303, redirect);
    const values = stringValues(req.body);
    if (req.body?.nav === 'filter') return renderStep(req, res, 'ente', request, 200, { values });
    const parsed = parseForm(enteSchema, req.body);
    if (!parsed.ok) return renderStep(req, res, 'ente', request, 422, { values, errors: parsed.errors });
    try {
      const saved = await saveEnte(sequelize, request ? String(request.id) : null, parsed.data);
      attach(req, saved);
    } catch (err) {
      if (err instanceof ConflictError) return renderStep(req, res, 'ente', request, 409, { values }, { failure: err.message });
      throw err;
    }
    afterSave(req, res, 'ente');
  });

  /** A step whose form is saved as it is: parsed, then saved, or shown again with the user's input and the errors. */
  const savedAsItIs = <T>(step: StepPath, n: number, schema: z.ZodType<T>, save: (requestId: string, data: T) => Promise<unknown>): void => {
    router.post(`/adesao/${step}`, input(NO_INPUT), async (req, res) => {
      const { request, redirect } = await openStep(req, n);
      if (redirect || !request) return res.redirect(303, redirect ?? '/adesao/ente');
      const parsed = parseForm(schema, req.body);
      if (!parsed.ok) {
        if (backWithoutSaving(req, res, step)) return;
        return renderStep(req, res, step, request, 422, { values: stringValues(req.body), errors: parsed.errors });
      }
      await save(String(request.id), parsed.data);
      afterSave(req, res, step);
    });
  };
  savedAsItIs('orgao', 2, organSchema, (id, data) => saveOrgan(sequelize, id, data));
  savedAsItIs('gestor', 3, managerSchema, (id, data) => saveManager(sequelize, config, id, data));

  router.post('/adesao/configuracao', input(NO_INPUT), async (req, res) => {
    const { request, redirect } = await openStep(req, 4);
    if (redirect || !request) return res.redirect(303, redirect ?? '/adesao/ente');
    const values = stringValues(req.body);
    if (req.body?.nav === 'more-rows') {
      return renderStep(req, res, 'configuracao', request, 200, { values: { ...values, rows: Number(values.rows || 5) + 5 } });
    }
    const parsed = parseForm(setupSchema, req.body);
    if (!parsed.ok) {
      if (backWithoutSaving(req, res, 'configuracao')) return;
      return renderStep(req, res, 'configuracao', request, 422, { values, errors: parsed.errors });
    }
    try {
      await saveSetup(sequelize, String(request.id), parsed.data);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      if (backWithoutSaving(req, res, 'configuracao')) return;
      return renderStep(req, res, 'configuracao', request, 422, { values, errors: err.fields });
    }
    afterSave(req, res, 'configuracao');
  });

  router.post('/adesao/termo', input(NO_INPUT), async (req, res) => {
    const { request, redirect } = await openStep(req, 5);
    if (redirect || !request) return res.redirect(303, redirect ?? '/adesao/ente');
    const parsed = parseForm(agreementSchema(request.managerName ?? ''), req.body);
    if (!parsed.ok) {
      if (backWithoutSaving(req, res, 'termo')) return;
      return renderStep(req, res, 'termo', request, 422, { values: stringValues(req.body), errors: parsed.errors });
    }
    await acceptAgreement(sequelize, String(request.id), parsed.data.acceptedName, { ip: req.ip });
    afterSave(req, res, 'termo');
  });

  router.post('/adesao/revisao', input(NO_INPUT), async (req, res) => {
    const { request, redirect } = await openStep(req, 6);
    if (redirect || !request) return res.redirect(303, redirect ?? '/adesao/ente');
    try {
      await submitRequest(sequelize, config, String(request.id));
    } catch (err) {
      if (err instanceof ConflictError) return renderStep(req, res, 'revisao', request, 409, {}, { failure: err.message });
      throw err;
    }
    res.redirect(303, '/adesao/situacao');
  });

  return router;
}
