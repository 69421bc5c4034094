import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import { auditActorOf } from '../audit/record';
import { requireRole } from '../auth/currentUnit';
import { requireUser } from '../middleware/setUpAuth';
import { ACCESS_LEVELS } from '../models';
import { ACCESS_LEVEL_LABELS, accessLevelLabel } from '../processes/accessLevels';
import { NO_INPUT, idParams, input, parseForm } from '../validation';
import { flash, takeFlash } from '../web/flash';
import { renderForm, withFieldErrors } from '../web/forms';
import { sanitizeTemplate, TEMPLATE_PLACEHOLDERS } from './sanitize';
import { activeLegalBases, getCatalogItem, listCatalog, saveCatalogItem, setCatalogItemActive, type CatalogKind } from './service';
import { documentTypeSchema, legalBasisSchema, processTypeSchema } from './validation';

export const USAGE_LABELS: Record<string, string> = { internal: 'Interno', external: 'Externo', both: 'Interno e externo' };

interface CatalogPage {
  kind: CatalogKind;
  path: string;
  title: string;
  singular: string;
  newLabel: string;
  view: string;
  schema: z.ZodType<unknown>;
}

const PAGES: CatalogPage[] = [
  { kind: 'processType', path: 'tipos-de-processo', title: 'Tipos de processo', singular: 'Tipo de processo', newLabel: 'Novo tipo de processo', view: 'catalogs/process-type', schema: processTypeSchema },
  { kind: 'documentType', path: 'tipos-de-documento', title: 'Tipos de documento', singular: 'Tipo de documento', newLabel: 'Novo tipo de documento', view: 'catalogs/document-type', schema: documentTypeSchema },
  { kind: 'legalBasis', path: 'hipoteses-legais', title: 'Hipóteses legais', singular: 'Hipótese legal', newLabel: 'Nova hipótese legal', view: 'catalogs/legal-basis', schema: legalBasisSchema },
];

/** What a catalog form needs besides its values: the choices of its selects and checkboxes. */
async function formContext(page: CatalogPage, values: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (page.kind === 'processType') {
    const allowed = ([] as unknown[]).concat(values.allowedAccessLevels ?? []).map(String);
    return {
      levels: ACCESS_LEVELS.map((l) => ({ value: l, label: ACCESS_LEVEL_LABELS[l], checked: allowed.includes(l) })),
      defaultLevels: ACCESS_LEVELS.map((l) => ({ value: l, label: ACCESS_LEVEL_LABELS[l], selected: values.defaultAccessLevel === l })),
      bases: (await activeLegalBases()).map((b) => ({ value: b.id, label: b.name, selected: String(values.defaultLegalBasisId ?? '') === b.id })),
    };
  }
  if (page.kind === 'documentType') {
    return {
      usages: Object.entries(USAGE_LABELS).map(([value, label]) => ({ value, label, checked: (values.usage ?? 'both') === value })),
      numberedChecked: values.numbered === true || values.numbered === 'sim',
      placeholders: TEMPLATE_PLACEHOLDERS,
      // Sanitised here too: on a re-rendered form the values are the raw input.
      templatePreview: typeof values.template === 'string' ? sanitizeTemplate(values.template) : '',
    };
  }
  return {};
}

async function renderItem(req: Request, res: Response, page: CatalogPage, status: number, id: string | null, values: Record<string, unknown>, errors: Record<string, string> = {}): Promise<void> {
  renderForm(res, page.view, status, {
    title: id ? `${page.singular}: ${String(values.name ?? '')}` : page.newLabel,
    page: { path: page.path, title: page.title, singular: page.singular },
    id,
    active: values.active !== false,
    flash: takeFlash(req),
    ...(await formContext(page, values)),
  }, { values, errors });
}

function catalogRouter(page: CatalogPage): Router {
  const router = Router();

  router.get('/', input(NO_INPUT), async (req, res) => {
    const rows = (await listCatalog(page.kind)).map((r) => ({
      ...r,
      levels: Array.isArray(r.allowedAccessLevels) ? r.allowedAccessLevels.map((l) => accessLevelLabel(l)).join(', ') : '',
      defaultLevel: accessLevelLabel(r.defaultAccessLevel),
      usageLabel: USAGE_LABELS[String(r.usage)],
    }));
    res.render('catalogs/list', { title: page.title, page: { ...page, schema: undefined }, rows, flash: takeFlash(req) });
  });

  router.get('/novo', input(NO_INPUT), async (req, res) => {
    const defaults: Record<string, unknown> = page.kind === 'processType' ? { allowedAccessLevels: ['public', 'restricted'], defaultAccessLevel: 'public' } : page.kind === 'documentType' ? { usage: 'both' } : {};
    await renderItem(req, res, page, 200, null, defaults);
  });

  router.post('/', input(NO_INPUT), async (req, res) => {
    const parsed = parseForm(page.schema, req.body);
    if (!parsed.ok) return renderItem(req, res, page, 422, null, req.body, parsed.errors);
    const outcome = await withFieldErrors(() => saveCatalogItem(auditActorOf(req), page.kind, null, parsed.data as never));
    if (!outcome.ok) return renderItem(req, res, page, 422, null, req.body, outcome.errors);
    flash(req, 'Salvo.');
    res.redirect(`/administracao/${page.path}`);
  });

  router.get('/:id', input({ params: idParams('id') }), async (req, res) => {
    await renderItem(req, res, page, 200, String(req.params.id), await getCatalogItem(page.kind, String(req.params.id)));
  });

  router.post('/:id', input({ params: idParams('id') }), async (req, res) => {
    const id = String(req.params.id);
    const current = await getCatalogItem(page.kind, id);
    const parsed = parseForm(page.schema, req.body);
    if (!parsed.ok) return renderItem(req, res, page, 422, id, { ...req.body, active: current.active }, parsed.errors);
    const outcome = await withFieldErrors(() => saveCatalogItem(auditActorOf(req), page.kind, id, parsed.data as never));
    if (!outcome.ok) return renderItem(req, res, page, 422, id, { ...req.body, active: current.active }, outcome.errors);
    flash(req, 'Alterações salvas.');
    res.redirect(`/administracao/${page.path}/${id}`);
  });

  router.post('/:id/desativar', input({ params: idParams('id') }), async (req, res) => {
    await setCatalogItemActive(auditActorOf(req), page.kind, String(req.params.id), false);
    flash(req, 'Desativado: não aparece mais para novos usos.');
    res.redirect(`/administracao/${page.path}/${req.params.id}`);
  });

  router.post('/:id/reativar', input({ params: idParams('id') }), async (req, res) => {
    await setCatalogItemActive(auditActorOf(req), page.kind, String(req.params.id), true);
    flash(req, 'Reativado.');
    res.redirect(`/administracao/${page.path}/${req.params.id}`);
  });

  return router;
}

/** /administracao/tipos-de-processo, /tipos-de-documento, /hipoteses-legais. */
export default function catalogRoutes(): Router {
  const router = Router();
  for (const page of PAGES) router.use(`/${page.path}`, requireUser, requireRole('admin'), catalogRouter(page));
  return router;
}
