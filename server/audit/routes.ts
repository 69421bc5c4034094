import { Router } from 'express';
import { requireRole } from '../auth/currentUnit';
import { requireUser } from '../middleware/setUpAuth';
import { AUDIT_PAGE_SIZE, auditFacets, searchAudit } from './service';

const ENTITY_LABELS: Record<string, string> = {
  unit: 'Unidade',
  user: 'Usuário',
  session: 'Sessão',
  process_type: 'Tipo de processo',
  document_type: 'Tipo de documento',
  legal_basis: 'Hipótese legal',
};
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const str = (v: unknown, re: RegExp): string | undefined => (typeof v === 'string' && re.test(v) ? v : undefined);
const json = (v: unknown): string => (v === null || v === undefined ? '' : JSON.stringify(v, null, 1));

/** /administracao/auditoria — the tenant's audit log, filtered. */
export default function auditRoutes(): Router {
  const router = Router();
  router.get('/auditoria', requireUser, requireRole('admin'), async (req, res) => {
    const filters = {
      entity: str(req.query.entidade, /^[a-z_]{1,40}$/),
      action: str(req.query.acao, /^[a-z_.]{1,60}$/),
      userId: str(req.query.usuario, /^\d{1,18}$/),
      from: str(req.query.de, DATE),
      to: str(req.query.ate, DATE),
      page: Math.max(1, Number.parseInt(String(req.query.pagina ?? '1'), 10) || 1),
    };
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
