import { Router, type Request, type Response } from 'express';
import { Op } from 'sequelize';
import { currentUnit } from '../auth/currentUnit';
import { select } from '../db/sql';
import { PermissionDeniedError, ValidationError } from '../errors';
import { requireUser } from '../middleware/setUpAuth';
import { LegalBasis, ProcessType, SECRECY_GRADES, Unit, type InboxList } from '../models';
import { inTenant, requireTenant } from '../tenancy/context';
import { tenantUrl } from '../tenancy/urls';
import type { Services } from '../services';
import { z } from 'zod';
import { NO_INPUT, idParams, idSchema, input, inputOf, parseForm, queryId, queryText, type FieldErrors } from '../validation';
import { findableSql, type Viewer } from './access';
import { ACCESS_LEVEL_LABELS, ACCESS_LEVEL_OPTIONS } from './accessLevels';
import { alterProcess, annexProcess, assignProcess, concludeProcess, grantCredential, relateProcess, reopenProcess, resumeProcess, revokeCredential, suspendProcess, unrelateProcess } from './actions';
import { createProcess } from './create';
import { todayInSaoPaulo } from './dates';
import { inboxPages } from './inbox';
import { sendProcess } from './send';
import { fillProcessPageSlots } from './pageSlots';
import { suggestParties } from './partySuggestions';
import { registerProcessSurface } from './surfaces';
import { processPage } from './view';
import { MAX_PARTIES, createSchema, idsSchema, inboxQuerySchema, partiesFrom, processFieldsSchema, sendSchema, summaryOf } from './validation';


declare module 'express-session' {
  interface SessionData {
    flash?: { type: 'success' | 'info'; message: string };
    /** A refused "Iniciar processo" form, shown once at its own address (POST/redirect/GET). */
    refusedProcessForm?: { values: Record<string, unknown>; errors: FieldErrors };
  }
}

const STYLES = ['/static/app/processes.css'];
const SCRIPTS = ['/static/app/processes.js'];
const GRADE_LABELS: Record<string, string> = { reservado: 'Reservado', secreto: 'Secreto', ultrassecreto: 'Ultrassecreto' };

/**
 * The type filter of the inbox lists every process type of the tenant; it changes rarely, so each
 * web process keeps it for a minute per tenant instead of reading it on every inbox request.
 */
const TYPE_TTL_MS = 60_000;
const typeCache = new Map<string, { at: number; types: { id: string; name: string }[] }>();

async function processTypesForFilter(): Promise<{ id: string; name: string }[]> {
  const key = requireTenant().schema;
  const hit = typeCache.get(key);
  if (hit && Date.now() - hit.at < TYPE_TTL_MS) return hit.types;
  const rows = await inTenant((t) => ProcessType.findAll({ attributes: ['id', 'name'], order: [['name', 'ASC']], transaction: t, raw: true }));
  const types = rows.map((r) => ({ id: String(r.id), name: r.name }));
  typeCache.set(key, { at: Date.now(), types });
  return types;
}

function viewerOf(req: Request): Viewer {
  const unit = currentUnit(req);
  if (req.user?.type !== 'user' || !unit) throw new PermissionDeniedError('Você ainda não tem unidade. Peça ao administrador do seu órgão que lhe dê acesso.');
  return { userId: req.user.id, unitId: unit.unitId };
}

function flash(req: Request, message: string): void {
  req.session.flash = { type: 'success', message };
}

function takeFlash(req: Request): { type: string; message: string } | undefined {
  const f = req.session.flash;
  if (f) delete req.session.flash;
  return f;
}

/** The form options of "Iniciar processo" and "Alterar": active types with their allowed levels, legal bases. */
async function formOptions(): Promise<{ types: object[]; legalBases: object[] }> {
  return inTenant(async (t) => {
    const [types, bases] = await Promise.all([
      ProcessType.findAll({ where: { active: true }, order: [['name', 'ASC']], transaction: t }),
      LegalBasis.findAll({ where: { active: true }, order: [['name', 'ASC']], transaction: t }),
    ]);
    return {
      types: types.map((p) => ({ id: String(p.id), name: p.name, levels: p.allowedAccessLevels.join(' '), defaultLevel: p.defaultAccessLevel, defaultLegalBasisId: p.defaultLegalBasisId ? String(p.defaultLegalBasisId) : '' })),
      legalBases: bases.map((b) => ({ id: String(b.id), name: `${b.name} (${b.basis})` })),
    };
  });
}

function partyRows(values: Record<string, unknown>, errors: FieldErrors): object[] {
  const parties = partiesFrom(values);
  const count = Math.min(MAX_PARTIES, Math.max(3, parties.length));
  return Array.from({ length: count }, (_, i) => ({
    index: i,
    number: i + 1,
    name: parties[i]?.name ?? '',
    document: parties[i]?.document ?? '',
    nameError: errors[`partyName${i}`],
    documentError: errors[`partyDocument${i}`],
  }));
}

async function renderProcessForm(res: Response, view: string, extra: Record<string, unknown>, values: Record<string, unknown>, errors: FieldErrors = {}, status = 200): Promise<void> {
  const options = await formOptions();
  res.status(status).render(view, {
    stylesheets: STYLES,
    scripts: SCRIPTS,
    ...options,
    accessOptions: ACCESS_LEVEL_OPTIONS.map((o) => ({ ...o, checked: values.accessLevel === o.value })),
    grades: SECRECY_GRADES.map((g) => ({ value: g, label: GRADE_LABELS[g], selected: values.secrecyGrade === g })),
    parties: partyRows(values, errors),
    values,
    errors,
    summary: summaryOf(errors),
    ...extra,
  });
}

function errorsOf(err: unknown): FieldErrors | null {
  return err instanceof ValidationError ? { ...err.fields, ...(Object.keys(err.fields).length ? {} : { _form: err.message }) } : null;
}

/** The process page: its id, the full history switch, a document opened in the page. */
const pageInput = {
  params: idParams('id'),
  query: z.object({ historico: z.enum(['completo'], { error: 'Valor inválido para o histórico.' }).optional(), documento: queryId }),
};

export default function processRoutes(services: Services): Router {
  const router = Router();

  /** Controle de processos of the current unit. */
  router.get('/', input({ query: inboxQuerySchema }), requireUser, async (req, res) => {
    const { query } = inputOf(req, { query: inboxQuerySchema });
    // `?unidade=<id>` (openProcessesUrl) opens the inbox of one of the user's own units.
    if (query.unidade && req.session.memberships?.some((m) => m.unitId === query.unidade)) req.session.currentUnitId = query.unidade;
    const unit = currentUnit(req);
    if (!unit || req.user?.type !== 'user') {
      return res.render('processes/inbox', { title: 'Controle de processos', noUnit: true, stylesheets: STYLES });
    }
    const today = todayInSaoPaulo();
    const filters = { mine: query.atribuidos === '1', processTypeId: query.tipo ?? null, overdue: query.atrasados === '1' };
    const types = await processTypesForFilter();
    const pages = await inboxPages({ unitId: unit.unitId, userId: req.user!.id, today, filters, cursors: { received: query.recebidos, created: query.gerados } });
    const base = new URLSearchParams();
    if (filters.mine) base.set('atribuidos', '1');
    if (filters.processTypeId) base.set('tipo', filters.processTypeId);
    if (filters.overdue) base.set('atrasados', '1');
    const listView = (list: InboxList, param: string, title: string) => {
      const page = pages[list];
      const next = new URLSearchParams(base);
      if (page.nextCursor) next.set(param, page.nextCursor);
      const first = new URLSearchParams(base);
      return {
        id: list,
        title,
        rows: page.rows,
        total: page.totalIsBound ? 'mais de 1.000' : page.total.toLocaleString('pt-BR'),
        nextUrl: page.nextCursor ? `/?${next.toString()}` : null,
        firstUrl: (list === 'received' ? query.recebidos : query.gerados) ? `/?${first.toString()}` : null,
      };
    };
    res.render('processes/inbox', {
      title: 'Controle de processos',
      stylesheets: STYLES,
      scripts: SCRIPTS,
      unit,
      flash: takeFlash(req),
      filters,
      types: types.map((t) => ({ id: String(t.id), name: t.name, selected: String(t.id) === filters.processTypeId })),
      lists: [listView('received', 'recebidos', 'Recebidos'), listView('created', 'gerados', 'Gerados')],
    });
  });

  /** Batch: conclude selected processes here, or go to the batch send form. */
  router.post('/controle-de-processos/lote', input(NO_INPUT), requireUser, async (req, res) => {
    const viewer = viewerOf(req);
    const parsed = parseForm(idsSchema, req.body);
    if (!parsed.ok) throw new ValidationError('Selecione ao menos um processo na lista.');
    if (parsed.data.action === 'send') {
      return res.redirect(`/processos/enviar?${parsed.data.ids.map((i) => `ids=${i}`).join('&')}`);
    }
    for (const id of parsed.data.ids) await concludeProcess(id, viewer);
    flash(req, parsed.data.ids.length === 1 ? '1 processo concluído na unidade.' : `${parsed.data.ids.length} processos concluídos na unidade.`);
    res.redirect('/');
  });

  router.get('/processos/novo', input(NO_INPUT), requireUser, async (req, res) => {
    viewerOf(req);
    const refused = req.session.refusedProcessForm;
    if (refused) {
      delete req.session.refusedProcessForm;
      return renderProcessForm(res, 'processes/new', { title: 'Iniciar processo' }, refused.values, refused.errors, 422);
    }
    await renderProcessForm(res, 'processes/new', { title: 'Iniciar processo' }, { numberingMode: 'generated' });
  });

  /** A refused form goes back to its own address with the input and the errors, so a reload does not post again. */
  const refuseCreation = (req: Request, res: Response, body: Record<string, unknown>, errors: FieldErrors): void => {
    const { _csrf: _token, ...values } = body;
    req.session.refusedProcessForm = { values, errors };
    res.redirect(303, '/processos/novo');
  };

  router.post('/processos', input(NO_INPUT), requireUser, async (req, res) => {
    const viewer = viewerOf(req);
    const body = req.body as Record<string, unknown>;
    const parsed = parseForm(createSchema, body);
    if (!parsed.ok) return refuseCreation(req, res, body, parsed.errors);
    if (parsed.data.numberingMode === 'informed' && !parsed.data.informedNumber.trim()) {
      return refuseCreation(req, res, body, { informedNumber: 'Informe o número do processo existente.' });
    }
    try {
      const created = await createProcess(
        { ...parsed.data, parties: partiesFrom(body), informedNumber: parsed.data.numberingMode === 'informed' ? parsed.data.informedNumber : null },
        viewer,
        req.site.type === 'tenant' ? req.site.tenant.numberingScheme : 'nup',
      );
      flash(req, `Processo ${created.number} criado.`);
      res.redirect(`/processos/${created.id}`);
    } catch (err) {
      const errors = errorsOf(err);
      if (!errors) throw err;
      refuseCreation(req, res, body, errors);
    }
  });

  /** Type-ahead over the interessados of processes the viewer may read. */
  const suggestionQuery = { query: z.object({ q: queryText(100) }) };
  router.get('/api/processos/interessados', input(suggestionQuery), requireUser, async (req, res) => {
    res.json(await suggestParties(viewerOf(req), inputOf(req, suggestionQuery).query.q ?? ''));
  });

  /** Find a process by its number (restrito is findable; sigiloso only with a credential). */
  const numberQuery = { query: z.object({ numero: queryText(60) }) };
  router.get('/processos/numero', input(numberQuery), requireUser, async (req, res) => {
    const viewer = viewerOf(req);
    const numero = inputOf(req, numberQuery).query.numero ?? '';
    const digits = numero.replace(/[^0-9]/g, '');
    const found = digits
      ? await inTenant((t) =>
          select<{ id: string }>(t, `SELECT p.id FROM processes p WHERE p.number_digits = $1 AND ${findableSql('$2')}`, [digits, viewer.userId]),
        )
      : [];
    if (found[0]) return res.redirect(`/processos/${found[0].id}`);
    res.status(404).render('processes/not-found', { title: 'Processo não encontrado', numero });
  });

  /** Batch send form and action. */
  router.get('/processos/enviar', input({ query: z.object({ ids: z.union([idSchema, z.array(idSchema)]).optional() }) }), requireUser, async (req, res) => {
    const viewer = viewerOf(req);
    const ids = idsSchema.shape.ids.safeParse(req.query.ids);
    if (!ids.success) throw new ValidationError('Selecione ao menos um processo na lista.');
    await renderSend(res, viewer, ids.data, {}, {});
  });

  router.post('/processos/enviar', input(NO_INPUT), requireUser, async (req, res) => {
    const viewer = viewerOf(req);
    const ids = idsSchema.shape.ids.safeParse((req.body as Record<string, unknown>).ids);
    if (!ids.success) throw new ValidationError('Selecione ao menos um processo na lista.');
    await doSend(req, res, viewer, ids.data);
  });

  async function renderSend(res: Response, viewer: Viewer, ids: string[], values: Record<string, unknown>, errors: FieldErrors, status = 200): Promise<void> {
    const { processes, units } = await inTenant(async (t) => ({
      processes: await select<{ id: string; number: string }>(
        t,
        `SELECT p.id, p.number FROM processes p WHERE p.id = ANY ($1::bigint[]) AND ${findableSql('$2')} ORDER BY p.number`,
        [ids, viewer.userId],
      ),
      units: await Unit.findAll({ where: { active: true, id: { [Op.ne]: viewer.unitId } }, order: [['acronym', 'ASC']], transaction: t }),
    }));
    const chosen = new Set(([] as unknown[]).concat(values.units ?? []).map(String));
    res.status(status).render('processes/send', {
      title: processes.length > 1 ? 'Enviar processos' : 'Enviar processo',
      stylesheets: STYLES,
      scripts: SCRIPTS,
      processes,
      single: processes.length === 1 ? processes[0] : null,
      units: units.map((u) => ({ id: String(u.id), acronym: u.acronym, name: u.name, checked: chosen.has(String(u.id)) })),
      values: { keepOpen: values.keepOpen === 'on', notify: values.notify === 'on', expectedReturn: values.expectedReturn ?? '' },
      today: todayInSaoPaulo(),
      errors,
      summary: summaryOf(errors),
    });
  }

  async function doSend(req: Request, res: Response, viewer: Viewer, ids: string[]): Promise<void> {
    const body = req.body as Record<string, unknown>;
    const parsed = parseForm(sendSchema, body);
    if (!parsed.ok) return renderSend(res, viewer, ids, body, parsed.errors, 422);
    const slug = req.site.type === 'tenant' ? req.site.tenant.slug : '';
    let sentTo: string[] = [];
    try {
      await inTenant(async () => {
        for (const id of ids) {
          ({ units: sentTo } = await sendProcess(
            id,
            viewer,
            { unitIds: parsed.data.units, keepOpen: parsed.data.keepOpen, expectedReturn: parsed.data.expectedReturn, notify: parsed.data.notify },
            { processUrl: (pid) => tenantUrl(services.config, slug, `/processos/${pid}`), today: todayInSaoPaulo() },
          ));
        }
      });
    } catch (err) {
      const errors = errorsOf(err);
      if (!errors) throw err;
      return renderSend(res, viewer, ids, body, errors, 422);
    }
    flash(req, `${ids.length > 1 ? `${ids.length} processos enviados` : 'Processo enviado'} para ${sentTo.join(', ')}.`);
    res.redirect(ids.length === 1 && parsed.data.keepOpen ? `/processos/${ids[0]}` : '/');
  }

  async function renderPage(req: Request, res: Response, id: string, errors: FieldErrors = {}, values: Record<string, unknown> = {}, status = 200): Promise<void> {
    const viewer = viewerOf(req);
    // One transaction for the page and the slots other features fill (documents).
    const page = await inTenant(async () => {
      const page = await processPage(id, viewer);
      if (page.canRead) await fillProcessPageSlots(req, res, { id: page.id, accessLevel: page.accessLevel, effectiveLevel: page.effectiveLevel, openHere: page.state.openHere });
      return page;
    });
    const full = req.query.historico === 'completo';
    res.status(status).render('processes/show', {
      title: `Processo ${page.number}`,
      stylesheets: STYLES,
      scripts: SCRIPTS,
      p: page,
      accessLabel: ACCESS_LEVEL_LABELS[page.accessLevel],
      gradeLabel: page.secrecyGrade ? GRADE_LABELS[page.secrecyGrade] : null,
      events: full ? page.events : page.events.filter((e) => e.summary),
      fullHistory: full,
      unitUsers: page.unitUsers.map((u) => ({ ...u, selected: u.id === page.here?.assignedUserId })),
      flash: takeFlash(req),
      errors,
      values,
      summary: summaryOf(errors),
    });
  }

  router.get('/processos/:id', input(pageInput), requireUser, async (req, res) => {
    await renderPage(req, res, String(req.params.id));
  });

  router.get('/processos/:id/enviar', input({ params: idParams('id') }), requireUser, async (req, res) => {
    const viewer = viewerOf(req);
    await processPage(String(req.params.id), viewer).then((p) => {
      if (!p.actions.send) throw new PermissionDeniedError('Só é possível enviar um processo aberto na unidade atual, não sobrestado nem anexado.');
    });
    await renderSend(res, viewer, [String(req.params.id)], {}, {});
  });

  router.post('/processos/:id/enviar', input({ params: idParams('id') }), requireUser, async (req, res) => {
    await doSend(req, res, viewerOf(req), [String(req.params.id)]);
  });

  /** Inline actions of the process page: redirect on success, re-render the page with errors otherwise. */
  const inline = (path: string, run: (req: Request, viewer: Viewer, id: string) => Promise<string>) => {
    router.post(`/processos/:id/${path}`, input({ params: idParams('id', ...[...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1])) }), requireUser, async (req, res) => {
      const id = String(req.params.id);
      const viewer = viewerOf(req);
      try {
        const message = await run(req, viewer, id);
        flash(req, message);
      } catch (err) {
        const errors = errorsOf(err);
        if (!errors) throw err;
        return renderPage(req, res, id, errors, req.body as Record<string, unknown>, 422);
      }
      res.redirect(`/processos/${id}`);
    });
  };
  const field = (req: Request, name: string): string => {
    const v = (req.body as Record<string, unknown>)[name];
    return typeof v === 'string' ? v : '';
  };
  const ip = (req: Request): string | null => req.ip ?? null;

  inline('concluir', async (_req, viewer, id) => {
    await concludeProcess(id, viewer);
    return 'Processo concluído na unidade.';
  });
  inline('reabrir', async (_req, viewer, id) => {
    await reopenProcess(id, viewer);
    return 'Processo reaberto na unidade.';
  });
  inline('atribuir', async (req, viewer, id) => {
    const assignee = field(req, 'assignee');
    await assignProcess(id, viewer, assignee || null);
    return assignee ? 'Processo atribuído.' : 'Atribuição removida.';
  });
  inline('sobrestar', async (req, viewer, id) => {
    await suspendProcess(id, viewer, field(req, 'reason'));
    return 'Processo sobrestado.';
  });
  inline('remover-sobrestamento', async (_req, viewer, id) => {
    await resumeProcess(id, viewer);
    return 'Sobrestamento removido.';
  });
  inline('relacionar', async (req, viewer, id) => {
    await relateProcess(id, viewer, field(req, 'number'));
    return 'Processos relacionados.';
  });
  inline('relacionamentos/:otherId/remover', async (req, viewer, id) => {
    await unrelateProcess(id, viewer, String(req.params.otherId));
    return 'Relacionamento removido.';
  });
  inline('anexar', async (req, viewer, id) => {
    await annexProcess(id, viewer, field(req, 'number'));
    return 'Processo anexado.';
  });
  inline('credenciais', async (req, viewer, id) => {
    await grantCredential(id, viewer, field(req, 'email'), ip(req));
    return 'Credencial de acesso concedida.';
  });
  inline('credenciais/:credentialId/cassar', async (req, viewer, id) => {
    await revokeCredential(id, viewer, String(req.params.credentialId), ip(req));
    return 'Credencial de acesso cassada.';
  });

  router.get('/processos/:id/alterar', input({ params: idParams('id') }), requireUser, async (req, res) => {
    const viewer = viewerOf(req);
    const page = await processPage(String(req.params.id), viewer);
    if (!page.actions.alter) throw new PermissionDeniedError('Só é possível alterar um processo aberto na unidade atual e não anexado.');
    const values: Record<string, unknown> = {
      processTypeId: page.processTypeId,
      specification: page.specification,
      accessLevel: page.accessLevel,
      legalBasisId: page.legalBasisId ?? '',
      secrecyGrade: page.secrecyGrade ?? '',
    };
    page.parties.forEach((p, i) => {
      values[`partyName${i}`] = p.name;
      values[`partyDocument${i}`] = p.document;
    });
    await renderProcessForm(res, 'processes/alter', { title: `Alterar processo ${page.number}`, p: page }, values);
  });

  router.post('/processos/:id/alterar', input({ params: idParams('id') }), requireUser, async (req, res) => {
    const viewer = viewerOf(req);
    const id = String(req.params.id);
    const body = req.body as Record<string, unknown>;
    const parsed = parseForm(processFieldsSchema, body);
    const extra = async () => ({ title: 'Alterar processo', p: await processPage(id, viewer) });
    if (!parsed.ok) return renderProcessForm(res, 'processes/alter', await extra(), body, parsed.errors, 422);
    try {
      await alterProcess(id, viewer, { ...parsed.data, parties: partiesFrom(body) });
    } catch (err) {
      const errors = errorsOf(err);
      if (!errors) throw err;
      return renderProcessForm(res, 'processes/alter', await extra(), body, errors, 422);
    }
    flash(req, 'Processo alterado.');
    res.redirect(`/processos/${id}`);
  });

  return router;
}

registerProcessSurface('GET /', 'Controle de processos: número, tipo e especificação dos processos da unidade');
registerProcessSurface('GET /processos/:id', 'página do processo: interessados, especificação, relacionados, anexados, sobrestamento, andamentos, documentos');
registerProcessSurface('GET /api/processos/interessados', 'sugestões de interessados (nome e CPF/CNPJ)');
registerProcessSurface('GET /processos/numero', 'localizar processo pelo número');
registerProcessSurface('GET /processos/enviar', 'formulário de envio: números dos processos escolhidos');
registerProcessSurface('GET /processos/:id/enviar', 'formulário de envio de um processo');
registerProcessSurface('GET /processos/:id/alterar', 'formulário de alteração: todos os campos do processo');
