import { Router, type Request, type Response } from 'express';
import { allStates, stateByUf } from '../adhesion/ibge';
import { refusalSchema, tenantArticleSchema, tenantStatusSchema } from '../adhesion/validation';
import { requireOperator } from '../middleware/setUpAuth';
import type { TenantKind } from '../models';
import { platformFigures } from '../platform/figures';
import { tenantUrl } from '../tenancy/urls';
import type { Services } from '../services';
import { NO_INPUT, idParams, input, inputOf, parseForm, queryChoice, queryId, type FieldErrors } from '../validation';
import { consoleTransfers, setTramitaTimeoutDays, tramitaTimeoutDays } from '../tramita/console';
import { STATE_LABELS, TRANSFER_STATES } from '../tramita/transit';
import { z } from 'zod';
import { flash, takeFlash } from '../web/flash';
import { renderForm, type FormState } from '../web/forms';
import { approveRequest, refuseRequest } from '../adhesion/approval';
import type { OperatorContext } from '../audit/operator';
import { exportDownload, PHASE_LABELS, requestExport, tenantExports } from '../export/jobs';
import { ConflictError } from '../errors';
import {
  auditLog,
  listRequests,
  listTenants,
  QUEUES,
  requestDetail,
  setTenantArticle,
  setTenantStatus,
  type QueueName,
} from './service';

const KIND_LABELS: Record<TenantKind, string> = { municipio: 'Município', estado: 'Estado', orgao: 'Outro órgão' };

function operatorOf(req: Request): OperatorContext {
  return { operatorId: req.user!.id, ip: req.ip ?? null, requestId: String(req.id) };
}

function query(req: Request, name: string): string {
  const v = req.query[name];
  return typeof v === 'string' ? v.slice(0, 100) : '';
}

/** The MGI operators' console, on the platform host under /admin. */
export default function consoleRoutes(services: Services): Router {
  const { sequelize } = services;
  const router = Router();
  router.use('/admin', requireOperator);

  router.get('/admin', input(NO_INPUT), async (req, res) => {
    const queue: QueueName = Object.hasOwn(QUEUES, query(req, 'fila')) ? (query(req, 'fila') as QueueName) : 'analise';
    const uf = stateByUf(query(req, 'uf')) ? query(req, 'uf') : '';
    const kind = (['municipio', 'estado', 'orgao'] as const).find((k) => k === query(req, 'tipo'));
    const q = query(req, 'q');
    const [{ rows, counts }, figures] = await Promise.all([listRequests(sequelize, { queue, uf, kind, q }), platformFigures(sequelize)]);
    const params = (fila: string) => new URLSearchParams({ fila, ...(uf && { uf }), ...(kind && { tipo: kind }), ...(q && { q }) }).toString();
    res.render('console/queue', {
      title: 'Pedidos de adesão',
      figures,
      tabs: Object.entries(QUEUES).map(([name, def]) => ({ name, label: def.label, count: counts[name as QueueName], current: name === queue, href: `/admin?${params(name)}` })),
      queueLabel: QUEUES[queue].label,
      queue,
      rows: rows.map((r) => ({ ...r, kindLabel: r.kind ? KIND_LABELS[r.kind] : '' })),
      states: allStates().map((s) => ({ ...s, selected: s.uf === uf })),
      kinds: Object.entries(KIND_LABELS).map(([value, label]) => ({ value, label, selected: value === kind })),
      filter: { q, uf, kind },
    });
  });

  async function renderRequest(req: Request, res: Response, status = 200, form: FormState = {}): Promise<void> {
    const request = await requestDetail(sequelize, String(req.params.id));
    renderForm(res, 'console/request', status, {
      title: `Pedido nº ${request.id}`,
      request,
      kindLabel: request.ente ? KIND_LABELS[request.ente.kind] : '',
      tenantLink: request.status === 'approved' && request.slug ? tenantUrl(services.config, request.slug) : null,
      notice: takeFlash(req)?.message,
    }, form);
  }

  router.get('/admin/pedidos/:id', input({ params: idParams('id') }), (req, res) => renderRequest(req, res));

  router.post('/admin/pedidos/:id/aprovar', input({ params: idParams('id') }), async (req, res) => {
    const result = await approveRequest(services, String(req.params.id), operatorOf(req));
    flash(req, result.ok ? 'Pedido aprovado: o ente foi criado e o gestor recebeu o convite.' : 'A criação do ente falhou. Veja o erro abaixo.');
    res.redirect(303, `/admin/pedidos/${req.params.id}`);
  });

  router.post('/admin/pedidos/:id/recusar', input({ params: idParams('id') }), async (req, res) => {
    const parsed = parseForm(refusalSchema, req.body);
    if (!parsed.ok) {
      return renderRequest(req, res, 422, { errors: parsed.errors, values: { reason: req.body?.reason ?? '' } });
    }
    await refuseRequest(services, String(req.params.id), parsed.data.reason, operatorOf(req));
    flash(req, 'Pedido recusado; o gestor foi avisado.');
    res.redirect(303, `/admin/pedidos/${req.params.id}`);
  });

  /** The tenants' page; `errors` are keyed by the field's id (`reason-<tenant>`, `article-<tenant>`), the forms being one a row. */
  async function renderTenants(req: Request, res: Response, status = 200, errors: FieldErrors = {}): Promise<void> {
    const q = query(req, 'q');
    const filterStatus = ['active', 'suspended'].includes(query(req, 'situacao')) ? query(req, 'situacao') : '';
    const tenants = await listTenants(sequelize, { q, status: filterStatus });
    renderForm(res, 'console/tenants', status, {
      title: 'Entes',
      tenants: tenants.map((t) => ({ ...t, kindLabel: KIND_LABELS[t.kind], active: t.status === 'active', formErrors: errors[`reason-${t.id}`] ? { reason: errors[`reason-${t.id}`] } : undefined })),
      filter: { q, active: filterStatus === 'active', suspended: filterStatus === 'suspended' },
      notice: takeFlash(req)?.message,
    }, { errors });
  }

  router.get('/admin/entes', input(NO_INPUT), (req, res) => renderTenants(req, res));

  for (const [path, status, done] of [
    ['suspender', 'suspended', 'Ente suspenso: o endereço mostra "temporariamente indisponível".'],
    ['reativar', 'active', 'Ente reativado.'],
  ] as const) {
    router.post(`/admin/entes/:id/${path}`, input({ params: idParams('id') }), async (req, res) => {
      const parsed = parseForm(tenantStatusSchema, req.body);
      if (!parsed.ok) return renderTenants(req, res, 422, { [`reason-${req.params.id}`]: parsed.errors.reason });
      await setTenantStatus(services, String(req.params.id), status, parsed.data.reason, operatorOf(req));
      flash(req, done);
      res.redirect(303, '/admin/entes');
    });
  }

  router.post('/admin/entes/:id/artigo', input({ params: idParams('id') }), async (req, res) => {
    const parsed = parseForm(tenantArticleSchema, req.body);
    if (!parsed.ok) {
      return renderTenants(req, res, 422, { [`article-${req.params.id}`]: parsed.errors.article });
    }
    await setTenantArticle(services, String(req.params.id), parsed.data.article, operatorOf(req));
    flash(req, 'Artigo do nome do ente salvo: os textos do ente já o usam.');
    res.redirect(303, '/admin/entes');
  });

  const exportParams = { params: idParams('id') };
  async function renderExports(req: Request, res: Response, status = 200, extra: Record<string, unknown> = {}): Promise<void> {
    const { tenant, jobs } = await tenantExports(sequelize, String(req.params.id));
    const pending = jobs.find((j) => j.status === 'queued' || j.status === 'running') ?? null;
    res.status(status).render('console/exports', {
      title: `Exportar dados: ${tenant.name}`,
      tenant,
      pending: pending && {
        ...pending,
        phaseLabel: pending.phase ? PHASE_LABELS[pending.phase] : null,
        percent: pending.total ? Math.floor((100 * pending.done) / pending.total) : 0,
      },
      jobs: jobs.map((j) => ({ ...j, statusLabel: { queued: 'na fila', running: 'em andamento', done: 'concluída', failed: 'falhou' }[j.status], sizeMb: j.sizeBytes ? (Number(j.sizeBytes) / 1048576).toFixed(1) : null })),
      notice: takeFlash(req)?.message,
      ...extra,
    });
  }

  router.get('/admin/entes/:id/exportacoes', input(exportParams), (req, res) => renderExports(req, res));

  router.post('/admin/entes/:id/exportacoes', input(exportParams), async (req, res) => {
    try {
      await requestExport(sequelize, String(req.params.id), operatorOf(req));
    } catch (err) {
      if (err instanceof ConflictError) return renderExports(req, res, 409, { conflict: err.message });
      throw err;
    }
    flash(req, 'Exportação pedida: o executor de tarefas a faz em segundo plano; o progresso aparece abaixo.');
    res.redirect(303, `/admin/entes/${req.params.id}/exportacoes`);
  });

  router.get('/admin/entes/:id/exportacoes/:exportId/arquivo', input({ params: idParams('id', 'exportId') }), async (req, res) => {
    const archive = await exportDownload(sequelize, String(req.params.id), String(req.params.exportId), operatorOf(req));
    res.set('Cache-Control', 'no-store');
    res.download(archive.file, archive.name);
  });

  const transfersInput = {
    query: z.object({
      situacao: queryChoice(TRANSFER_STATES, 'Escolha uma situação da lista.'),
      ente: queryId,
      antes: queryId,
    }),
  };
  /** Transfers between tenants with their states: metadata only, never content. */
  const renderTransfers = async (req: Request, res: Response, status = 200, form: { errors?: FieldErrors; values?: Record<string, unknown> } = {}): Promise<void> => {
    const { situacao, ente, antes } = inputOf(req, transfersInput).query;
    const { rows, next, entes } = await consoleTransfers(sequelize, { state: situacao, tenantId: ente, before: antes });
    const more = next && new URLSearchParams({ ...(situacao && { situacao }), ...(ente && { ente }), antes: next }).toString();
    const timeoutDays = await tramitaTimeoutDays(sequelize);
    renderForm(res, 'console/transfers', status, {
      title: 'Trâmites entre órgãos',
      timeoutDays,
      flash: takeFlash(req),
      rows,
      states: TRANSFER_STATES.map((value) => ({ value, label: STATE_LABELS[value], selected: value === situacao })),
      entes: entes.map((e) => ({ ...e, selected: e.id === ente })),
      filtered: Boolean(situacao || ente),
      paged: Boolean(antes),
      moreHref: more ? `/admin/tramites?${more}` : null,
    }, { errors: form.errors, values: form.values ?? { timeoutDays } });
  };
  router.get('/admin/tramites', input(transfersInput), (req, res) => renderTransfers(req, res));

  /** The deadline after which a transfer nobody received is cancelled automatically (those already sent keep theirs). */
  const timeoutSchema = z.object({
    timeoutDays: z.coerce.number({ message: 'Informe o prazo em dias.' }).int('Informe um número inteiro de dias.').min(1, 'O prazo é de pelo menos 1 dia.').max(90, 'O prazo é de no máximo 90 dias.'),
  });
  router.post('/admin/tramites/prazo', input(transfersInput), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = parseForm(timeoutSchema, body);
    if (!parsed.ok) return renderTransfers(req, res, 422, { errors: parsed.errors, values: body });
    await setTramitaTimeoutDays(sequelize, parsed.data.timeoutDays, operatorOf(req));
    flash(req, `Prazo salvo: trâmites enviados a partir de agora são cancelados automaticamente depois de ${parsed.data.timeoutDays} dia(s) sem recebimento.`);
    res.redirect(303, '/admin/tramites');
  });

  router.get('/admin/auditoria', input(NO_INPUT), async (req, res) => {
    const rows = await auditLog(sequelize, { action: query(req, 'acao').replace(/[^a-z_.]/g, '') });
    res.render('console/audit', {
      title: 'Registro de auditoria',
      rows: rows.map((r) => ({ ...r, detailsText: JSON.stringify(r.details) })),
      action: query(req, 'acao'),
    });
  });

  return router;
}
