import { Router } from 'express';
import { currentUnit } from '../auth/currentUnit';
import { ValidationError } from '../errors';
import { requireUser } from '../middleware/setUpAuth';
import type { InboxList } from '../models';
import { NO_INPUT, input, inputOf, parseForm } from '../validation';
import { flash, takeFlash } from '../web/flash';
import { actorOf } from '../web/actor';
import { concludeProcesses } from './batch';
import { todayInSaoPaulo } from './dates';
import { processTypesForFilter } from './forms';
import { inboxPages } from './inbox';
import { SCRIPTS, STYLES } from './pages';
import { idsSchema, inboxQuerySchema } from './validation';

/** Controle de processos of the current unit, and its batch actions. */
export default function inboxRoutes(): Router {
  const router = Router();

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
    const viewer = actorOf(req);
    const parsed = parseForm(idsSchema, req.body);
    if (!parsed.ok) throw new ValidationError('Selecione ao menos um processo na lista.');
    if (parsed.data.action === 'send') {
      return res.redirect(`/processos/enviar?${parsed.data.ids.map((i) => `ids=${i}`).join('&')}`);
    }
    await concludeProcesses(parsed.data.ids, viewer);
    flash(req, parsed.data.ids.length === 1 ? '1 processo concluído na unidade.' : `${parsed.data.ids.length} processos concluídos na unidade.`);
    res.redirect('/');
  });

  return router;
}
