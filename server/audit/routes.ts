import { Router } from 'express';
import { requireRole } from '../auth/currentUnit';
import { requireUser } from '../middleware/setUpAuth';
import { z } from 'zod';
import { input, inputOf, queryDate, queryId, queryPage } from '../validation';
import { AUDIT_PAGE_SIZE, auditFacets, searchAudit } from './service';

const ENTITY_LABELS: Record<string, string> = {
  unit: 'Unidade',
  user: 'Usuário',
  session: 'Sessão',
  process_type: 'Tipo de processo',
  document_type: 'Tipo de documento',
  legal_basis: 'Hipótese legal',
  api_key: 'Chave de integração',
};
const auditQuery = {
  query: z.object({
    entidade: z.union([z.string().regex(/^[a-z_]{1,40}$/, 'Entidade inválida.'), z.literal('')]).optional().transform((v) => v || undefined),
    acao: z.union([z.string().regex(/^[a-z_.]{1,60}$/, 'Ação inválida.'), z.literal('')]).optional().transform((v) => v || undefined),
    usuario: queryId,
    de: queryDate,
    ate: queryDate,
    pagina: queryPage,
  }),
};
const json = (v: unknown): string => (v === null || v === undefined ? '' : JSON.stringify(v, null, 1));

/** /administracao/auditoria — the tenant's audit log, filtered. */
export default function auditRoutes(): Router {
  const router = Router();
  router.get('/auditoria', input(auditQuery), requireUser, requireRole('admin'), async (req, res) => {
    const { query } = inputOf(req, auditQuery);
    const filters = { entity: query.entidade, action: query.acao, userId: query.usuario, from: query.de, to: query.ate, page: query.pagina ?? 1 };
    const { rows, total } = await searchAudit(filters);
    const facets = await auditFacets();
    const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
    const link = (p: number): string => {
      const params = new URLSearchParams(Object.entries(req.query).filter(([k, v]) => k !== 'pagina' && typeof v === 'string' && v) as [string, string][]);
      params.set('pagina', String(p));
      return `/administracao/auditoria?${params.toString()}`;
    };
    res.render('audit/list', {
      title: 'Auditoria',
      rows: rows.map((r) => ({ ...r, entityLabel: ENTITY_LABELS[r.entity] ?? r.entity, before: json(r.before), after: json(r.after) })),
      total,
      page: filters.page,
      pages,
      previous: filters.page > 1 ? link(filters.page - 1) : null,
      next: filters.page < pages ? link(filters.page + 1) : null,
      values: { de: filters.from ?? '', ate: filters.to ?? '' },
      entities: [{ value: '', label: 'Todas', selected: !filters.entity }, ...facets.entities.map((e) => ({ value: e, label: ENTITY_LABELS[e] ?? e, selected: e === filters.entity }))],
      actions: [{ value: '', label: 'Todas', selected: !filters.action }, ...facets.actions.map((a) => ({ value: a, label: a, selected: a === filters.action }))],
      users: [{ value: '', label: 'Todos', selected: !filters.userId }, ...facets.users.map((u) => ({ value: u.id, label: u.name, selected: u.id === filters.userId }))],
    });
  });
  return router;
}
