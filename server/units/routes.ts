import { z } from 'zod';
import { Router, type Request, type Response } from 'express';
import { auditActorOf } from '../audit/record';
import { requireRole } from '../auth/currentUnit';
import { NotFoundError, ValidationError } from '../errors';
import { requireUser } from '../middleware/setUpAuth';
import { NO_INPUT, idParams, input, parseForm, queryId } from '../validation';
import { errorSummary, formLocals, renderForm, withFieldErrors } from '../web/forms';
import { flash, takeFlash } from '../web/flash';
import { recordAction } from '../web/recordAction';
import { commitImport, exportCsv, previewImport } from './csvImport';
import {
  createUnit,
  deactivateUnit,
  flatten,
  moveUnit,
  reactivateUnit,
  unitTree,
  updateUnit,
  UnitDeactivationRefused,
  type UnitNode,
} from './service';
import { moveUnitSchema, newUnitSchema, unitFormSchema } from './validation';

const ID = /^\d{1,18}$/;

function plain(n: UnitNode): Omit<UnitNode, 'children'> {
  const { children: _c, ...rest } = n;
  return rest;
}

/** A unit's page: edit, move, deactivate/reactivate; re-rendered with errors when something is refused. */
async function renderUnit(req: Request, res: Response, status = 200, extra: Record<string, unknown> = {}): Promise<void> {
  const id = String(req.params.id);
  const { roots, byId } = await unitTree();
  const node = ID.test(id) ? byId.get(id) : undefined;
  if (!node) throw new NotFoundError('Unidade não encontrada.');
  const below = new Set(flatten([node]).map((n) => n.id));
  const parents = flatten(roots)
    .filter((n) => n.active && !below.has(n.id))
    .map((n) => ({ id: n.id, path: n.path, name: n.name, selected: n.id === node.parentId }));
  res.status(status).render('units/unit', {
    title: `Unidade ${node.acronym}`,
    unit: plain(node),
    parent: node.parentId ? plain(byId.get(node.parentId)!) : null,
    children: node.children.map(plain),
    parents,
    values: { acronym: node.acronym, name: node.name, protocolCode: node.protocolCode ?? '', address: node.address ?? '' },
    ...extra,
  });
}

export default function unitRoutes(): Router {
  const router = Router();
  router.use(requireUser, requireRole('admin'));

  router.get('/', input(NO_INPUT), (_req, res) => {
    res.render('units/administration', { title: 'Administração' });
  });

  router.get('/unidades', input(NO_INPUT), async (req, res) => {
    const { roots } = await unitTree();
    const all = flatten(roots);
    res.render('units/tree', {
      title: 'Unidades',
      roots,
      total: all.length,
      inactive: all.filter((n) => !n.active).length,
      flash: takeFlash(req),
    });
  });

  router.get('/unidades/exportar.csv', input(NO_INPUT), async (_req, res) => {
    const csv = await exportCsv();
    res.type('text/csv; charset=utf-8').attachment('unidades.csv').send(`\uFEFF${csv}`);
  });

  router.get('/unidades/importar', input(NO_INPUT), (_req, res) => {
    res.render('units/import', { title: 'Importar unidades' });
  });

  router.post('/unidades/importar', input(NO_INPUT), async (req, res) => {
    const file = req.file;
    if (!file || file.size === 0) {
      return renderForm(res, 'units/import', 422, { title: 'Importar unidades' }, { errors: { arquivo: 'Escolha um arquivo CSV.' } });
    }
    const csv = file.buffer.toString('utf8');
    const plan = await previewImport(csv);
    res.status(plan.valid ? 200 : 422).render('units/import-preview', {
      title: 'Prévia da importação de unidades',
      plan,
      csv,
      fileName: file.originalname,
      errorCount: plan.rows.filter((r) => r.errors.length).length,
    });
  });

  router.post('/unidades/importar/confirmar', input(NO_INPUT), async (req, res) => {
    const csv = typeof req.body?.csv === 'string' ? req.body.csv : '';
    try {
      await commitImport(auditActorOf(req), csv);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const plan = await previewImport(csv);
      return res.status(422).render('units/import-preview', { title: 'Prévia da importação de unidades', plan, csv, failure: err.message, errorCount: plan.rows.filter((r) => r.errors.length).length });
    }
    flash(req, 'Importação concluída: a estrutura abaixo já inclui as unidades do arquivo.');
    res.redirect('/administracao/unidades');
  });

  router.get('/unidades/nova', input({ query: z.object({ superior: queryId }) }), async (req, res) => {
    const { roots } = await unitTree();
    const parents = flatten(roots).filter((n) => n.active).map((n) => ({ id: n.id, path: n.path, name: n.name, selected: n.id === req.query.superior }));
    res.render('units/new', { title: 'Nova unidade', parents, values: {} });
  });

  router.post('/unidades', input(NO_INPUT), async (req, res) => {
    const parsed = parseForm(newUnitSchema, req.body);
    const body = req.body as Record<string, string>;
    const rerender = async (errors: Record<string, string>): Promise<void> => {
      const { roots } = await unitTree();
      const parents = flatten(roots).filter((n) => n.active).map((n) => ({ id: n.id, path: n.path, name: n.name, selected: n.id === body.parentId }));
      renderForm(res, 'units/new', 422, { title: 'Nova unidade', parents }, { values: body, errors });
    };
    if (!parsed.ok) return rerender(parsed.errors);
    const outcome = await withFieldErrors(() => createUnit(auditActorOf(req), parsed.data.parentId, parsed.data));
    if (!outcome.ok) return rerender(outcome.errors);
    res.redirect(`/administracao/unidades#unidade-${outcome.value.id}`);
  });

  router.get('/unidades/:id', input({ params: idParams('id') }), async (req, res) => {
    await renderUnit(req, res, 200, { flash: takeFlash(req) });
  });

  router.post('/unidades/:id', input({ params: idParams('id') }), async (req, res) => {
    const parsed = parseForm(unitFormSchema, req.body);
    const errorsOf = (errors: Record<string, string>): Record<string, unknown> => formLocals({ values: req.body, errors });
    if (!parsed.ok) return renderUnit(req, res, 422, errorsOf(parsed.errors));
    const outcome = await withFieldErrors(() => updateUnit(auditActorOf(req), String(req.params.id), parsed.data));
    if (!outcome.ok) return renderUnit(req, res, 422, errorsOf(outcome.errors));
    flash(req, 'Dados da unidade salvos.');
    res.redirect(`/administracao/unidades/${req.params.id}`);
  });

  router.post('/unidades/:id/mover', input({ params: idParams('id') }), async (req, res) => {
    const parsed = parseForm(moveUnitSchema, req.body);
    const moveErrors = (errors: Record<string, string>): Record<string, unknown> => ({ moveErrors: errors, summary: errorSummary(errors).map(({ message }) => ({ field: 'parentId', message })) });
    if (!parsed.ok) return renderUnit(req, res, 422, moveErrors(parsed.errors));
    const outcome = await withFieldErrors(() => moveUnit(auditActorOf(req), String(req.params.id), parsed.data.parentId));
    if (!outcome.ok) return renderUnit(req, res, 422, moveErrors(outcome.errors));
    flash(req, 'Unidade movida.');
    res.redirect(`/administracao/unidades/${req.params.id}`);
  });

  router.post('/unidades/:id/desativar', input({ params: idParams('id') }), async (req, res) => {
    try {
      await deactivateUnit(auditActorOf(req), String(req.params.id));
    } catch (err) {
      if (err instanceof UnitDeactivationRefused) return renderUnit(req, res, 409, { blocks: err.blocks, blockMessage: err.message });
      throw err;
    }
    flash(req, 'Unidade desativada.');
    res.redirect(`/administracao/unidades/${req.params.id}`);
  });

  recordAction(router, '/unidades/:id/reativar', reactivateUnit, 'Unidade reativada.', (id) => `/administracao/unidades/${id}`);

  return router;
}
