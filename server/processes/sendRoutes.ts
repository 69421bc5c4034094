import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../config';
import { PermissionDeniedError, ValidationError } from '../errors';
import { requireUser } from '../middleware/setUpAuth';
import type { Services } from '../services';
import { tenantUrl } from '../tenancy/urls';
import { NO_INPUT, idParams, idSchema, input, parseForm, type FieldErrors } from '../validation';
import { flash } from '../web/flash';
import { formErrorsOf, renderForm } from '../web/forms';
import { actorOf } from '../web/actor';
import type { Viewer } from './access';
import { sendProcesses } from './batch';
import { todayInSaoPaulo } from './dates';
import { sendFormData } from './forms';
import { SCRIPTS, STYLES } from './pages';
import { idsSchema, sendSchema } from './validation';
import { processPage } from './view';

async function renderSend(res: Response, viewer: Viewer, ids: string[], values: Record<string, unknown>, errors: FieldErrors, status = 200): Promise<void> {
  const { processes, units } = await sendFormData(viewer, ids);
  const chosen = new Set(([] as unknown[]).concat(values.units ?? []).map(String));
  renderForm(
    res,
    'processes/send',
    status,
    {
      title: processes.length > 1 ? 'Enviar processos' : 'Enviar processo',
      stylesheets: STYLES,
      scripts: SCRIPTS,
      processes,
      single: processes.length === 1 ? processes[0] : null,
      units: units.map((u) => ({ id: String(u.id), acronym: u.acronym, name: u.name, checked: chosen.has(String(u.id)) })),
      today: todayInSaoPaulo(),
    },
    { values: { keepOpen: values.keepOpen === 'on', notify: values.notify === 'on', expectedReturn: values.expectedReturn ?? '' }, errors },
  );
}

async function doSend(config: Config, req: Request, res: Response, viewer: Viewer, ids: string[]): Promise<void> {
  const body = req.body as Record<string, unknown>;
  const parsed = parseForm(sendSchema, body);
  if (!parsed.ok) return renderSend(res, viewer, ids, body, parsed.errors, 422);
  const slug = req.site.type === 'tenant' ? req.site.tenant.slug : '';
  let sentTo: string[];
  try {
    ({ units: sentTo } = await sendProcesses(
      ids,
      viewer,
      { unitIds: parsed.data.units, keepOpen: parsed.data.keepOpen, expectedReturn: parsed.data.expectedReturn, notify: parsed.data.notify },
      { processUrl: (pid) => tenantUrl(config, slug, `/processos/${pid}`), today: todayInSaoPaulo() },
    ));
  } catch (err) {
    const errors = formErrorsOf(err);
    if (!errors) throw err;
    return renderSend(res, viewer, ids, body, errors, 422);
  }
  flash(req, `${ids.length > 1 ? `${ids.length} processos enviados` : 'Processo enviado'} para ${sentTo.join(', ')}.`);
  res.redirect(ids.length === 1 && parsed.data.keepOpen ? `/processos/${ids[0]}` : '/');
}

/** Enviar: one process from its page, or several chosen in the inbox. */
export default function sendRoutes(services: Services): Router {
  const router = Router();

  router.get('/processos/enviar', input({ query: z.object({ ids: z.union([idSchema, z.array(idSchema)]).optional() }) }), requireUser, async (req, res) => {
    const viewer = actorOf(req);
    const ids = idsSchema.shape.ids.safeParse(req.query.ids);
    if (!ids.success) throw new ValidationError('Selecione ao menos um processo na lista.');
    await renderSend(res, viewer, ids.data, {}, {});
  });

  router.post('/processos/enviar', input(NO_INPUT), requireUser, async (req, res) => {
    const viewer = actorOf(req);
    const ids = idsSchema.shape.ids.safeParse((req.body as Record<string, unknown>).ids);
    if (!ids.success) throw new ValidationError('Selecione ao menos um processo na lista.');
    await doSend(services.config, req, res, viewer, ids.data);
  });

  router.get('/processos/:id/enviar', input({ params: idParams('id') }), requireUser, async (req, res) => {
    const viewer = actorOf(req);
    await processPage(String(req.params.id), viewer).then((p) => {
      if (!p.actions.send) throw new PermissionDeniedError('Só é possível enviar um processo aberto na unidade atual, não sobrestado nem anexado.');
    });
    await renderSend(res, viewer, [String(req.params.id)], {}, {});
  });

  router.post('/processos/:id/enviar', input({ params: idParams('id') }), requireUser, async (req, res) => {
    await doSend(services.config, req, res, actorOf(req), [String(req.params.id)]);
  });

  return router;
}
