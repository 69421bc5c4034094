import { Router, type Request, type Response } from 'express';
import { allStates, stateByUf } from '../adhesion/ibge';
import { refusalSchema, tenantArticleSchema, tenantStatusSchema } from '../adhesion/validation';
import { requireOperator } from '../middleware/setUpAuth';
import type { TenantKind } from '../models';
import { platformFigures } from '../platform/figures';
import { tenantUrl } from '../tenancy/urls';
import type { Services } from '../services';
import { NO_INPUT, idParams, input, ownEntry, parseForm } from '../validation';
import { approveRequest, refuseRequest } from '../adhesion/approval';
import type { OperatorContext } from '../audit/operator';
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

  async function renderRequest(req: Request, res: Response, status = 200, extra: Record<string, unknown> = {}): Promise<void> {
    const request = await requestDetail(sequelize, String(req.params.id));
    res.status(status).render('console/request', {
      title: `Pedido nº ${request.id}`,
      request,
      kindLabel: request.ente ? KIND_LABELS[request.ente.kind] : '',
      tenantLink: request.status === 'approved' && request.slug ? tenantUrl(services.config, request.slug) : null,
      notice: ownEntry({ aprovado: 'Pedido aprovado: o ente foi criado e o gestor recebeu o convite.', recusado: 'Pedido recusado; o gestor foi avisado.', falha: 'A criação do ente falhou. Veja o erro abaixo.' }, query(req, 'ok')),
      ...extra,
    });
  }

  router.get('/admin/pedidos/:id', input({ params: idParams('id') }), (req, res) => renderRequest(req, res));

  router.post('/admin/pedidos/:id/aprovar', input({ params: idParams('id') }), async (req, res) => {
    const result = await approveRequest(services, String(req.params.id), operatorOf(req));
    res.redirect(303, `/admin/pedidos/${req.params.id}?ok=${result.ok ? 'aprovado' : 'falha'}`);
  });

  router.post('/admin/pedidos/:id/recusar', input({ params: idParams('id') }), async (req, res) => {
    const parsed = parseForm(refusalSchema, req.body);
    if (!parsed.ok) {
      return renderRequest(req, res, 422, { errors: parsed.errors, summary: parsed.summary, values: { reason: req.body?.reason ?? '' } });
    }
    await refuseRequest(services, String(req.params.id), parsed.data.reason, operatorOf(req));
    res.redirect(303, `/admin/pedidos/${req.params.id}?ok=recusado`);
  });

  async function renderTenants(req: Request, res: Response, status = 200, extra: Record<string, unknown> = {}): Promise<void> {
    const q = query(req, 'q');
    const filterStatus = ['active', 'suspended'].includes(query(req, 'situacao')) ? query(req, 'situacao') : '';
    const tenants = await listTenants(sequelize, { q, status: filterStatus });
    res.status(status).render('console/tenants', {
      title: 'Entes',
      tenants: tenants.map((t) => ({ ...t, kindLabel: KIND_LABELS[t.kind], active: t.status === 'active', formErrors: extra.tenantId === t.id ? extra.errors : undefined })),
      filter: { q, active: filterStatus === 'active', suspended: filterStatus === 'suspended' },
      notice: ownEntry({ suspenso: 'Ente suspenso: o endereço mostra "temporariamente indisponível".', reativado: 'Ente reativado.', artigo: 'Artigo do nome do ente salvo: os textos do ente já o usam.' }, query(req, 'ok')),
      ...extra,
    });
  }

  router.get('/admin/entes', input(NO_INPUT), (req, res) => renderTenants(req, res));

  for (const [path, status, ok] of [
    ['suspender', 'suspended', 'suspenso'],
    ['reativar', 'active', 'reativado'],
  ] as const) {
    router.post(`/admin/entes/:id/${path}`, input({ params: idParams('id') }), async (req, res) => {
      const parsed = parseForm(tenantStatusSchema, req.body);
      if (!parsed.ok) {
        const field = `reason-${req.params.id}`;
        return renderTenants(req, res, 422, {
          tenantId: String(req.params.id),
          errors: { reason: parsed.errors.reason },
          summary: [{ field, message: parsed.errors.reason }],
        });
      }
      await setTenantStatus(services, String(req.params.id), status, parsed.data.reason, operatorOf(req));
      res.redirect(303, `/admin/entes?ok=${ok}`);
    });
  }

  router.post('/admin/entes/:id/artigo', input({ params: idParams('id') }), async (req, res) => {
    const parsed = parseForm(tenantArticleSchema, req.body);
    if (!parsed.ok) {
      return renderTenants(req, res, 422, { summary: [{ field: `article-${req.params.id}`, message: parsed.errors.article }] });
    }
    await setTenantArticle(services, String(req.params.id), parsed.data.article, operatorOf(req));
    res.redirect(303, '/admin/entes?ok=artigo');
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
