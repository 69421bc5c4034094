import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { auditActorOf } from '../audit/record';
import { formatBytes } from '../documents/upload';
import { requireUser } from '../middleware/setUpAuth';
import type { ProcessPageSlot } from '../processes/pageSlots';
import { registerProcessSurface } from '../processes/surfaces';
import type { Services } from '../services';
import { idParams, input, parseForm, type FieldErrors } from '../validation';
import { actorOf } from '../web/actor';
import { flash } from '../web/flash';
import { renderForm, withFieldErrors } from '../web/forms';
import { intimateFromProcess, intimationSlotOf, intimationsOfProcess } from './intimations';
import { DOCUMENTS_HINT, staffDocuments } from './uploads';

const decisionSchema = z.object({
  decisao: z.string({ message: 'Escreva a decisão.' }).trim().min(5, 'Escreva a decisão a comunicar ao interessado (pelo menos 5 caracteres).').max(10_000, 'A decisão pode ter no máximo 10.000 caracteres.'),
});

/**
 * The "Intimações" slot of the process page: the intimações of the citizen whose request became
 * this process, their states, and the way to intimate them of a decision. Only for a viewer who may
 * read the process (the page runs the access predicate before any slot).
 */
export const intimationPanel: ProcessPageSlot = async (_req, res, process) => {
  const view = await intimationSlotOf(process.id);
  if (view) res.locals.intimationPanel = { ...view, canIntimate: process.openHere };
};

/** /processos/:id/intimar: intimate the citizen interessado of a decision (text and documents), for ciência. */
export default function intimationRoutes({ config }: Services): Router {
  const router = Router();
  const render = async (req: Request, res: Response, status: number, errors: FieldErrors = {}, values: Record<string, unknown> = {}): Promise<void> => {
    const view = await intimationsOfProcess(actorOf(req), String(req.params.id));
    renderForm(res, 'protocol/process-intimate', status, {
      title: `Intimar o interessado — processo ${view.process.number}`,
      view,
      intimations: view.intimations.map((i) => ({ ...i, files: i.files.map((f) => ({ ...f, sizeLabel: formatBytes(f.size) })) })),
      documentsHint: DOCUMENTS_HINT,
    }, { values, errors });
  };

  router.get('/processos/:id/intimar', input({ params: idParams('id') }), requireUser, (req, res) => render(req, res, 200));

  router.post('/processos/:id/intimar', input({ params: idParams('id') }), requireUser, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = parseForm(decisionSchema, body);
    const documents = await withFieldErrors(() => staffDocuments(req));
    if (!parsed.ok || !documents.ok) return render(req, res, 422, { ...(parsed.ok ? {} : parsed.errors), ...(documents.ok ? {} : documents.errors) }, body);
    const outcome = await withFieldErrors(() => intimateFromProcess(config, actorOf(req), auditActorOf(req), String(req.params.id), parsed.data.decisao, documents.value));
    if (!outcome.ok) return render(req, res, 422, outcome.errors, body);
    flash(req, 'Intimação enviada ao interessado por e-mail.');
    res.redirect(303, `/processos/${req.params.id}`);
  });

  return router;
}

registerProcessSurface('GET /processos/:id/intimar', 'intimar o interessado: número do processo, nome e e-mail do cidadão, intimações');
