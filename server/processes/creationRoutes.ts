import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { requireUser } from '../middleware/setUpAuth';
import { NO_INPUT, input, inputOf, parseForm, queryText, type FieldErrors } from '../validation';
import { flash } from '../web/flash';
import { formErrorsOf } from '../web/forms';
import { actorOf } from '../web/actor';
import { createProcess } from './create';
import { findProcessByNumber } from './forms';
import { renderProcessForm } from './pages';
import { suggestParties } from './partySuggestions';
import { createSchema, partiesFrom } from './validation';

declare module 'express-session' {
  interface SessionData {
    /** A refused "Iniciar processo" form, shown once at its own address (POST/redirect/GET). */
    refusedProcessForm?: { values: Record<string, unknown>; errors: FieldErrors };
  }
}

/** Iniciar processo, the interessados' type-ahead and finding a process by its number. */
export default function creationRoutes(): Router {
  const router = Router();

  router.get('/processos/novo', input(NO_INPUT), requireUser, async (req, res) => {
    actorOf(req);
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
    const viewer = actorOf(req);
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
      const errors = formErrorsOf(err);
      if (!errors) throw err;
      refuseCreation(req, res, body, errors);
    }
  });

  /** Type-ahead over the interessados of processes the viewer may read. */
  const suggestionQuery = { query: z.object({ q: queryText(100) }) };
  router.get('/api/processos/interessados', input(suggestionQuery), requireUser, async (req, res) => {
    res.json(await suggestParties(actorOf(req), inputOf(req, suggestionQuery).query.q ?? ''));
  });

  /** Find a process by its number (restrito is findable; sigiloso only with a credential). */
  const numberQuery = { query: z.object({ numero: queryText(60) }) };
  router.get('/processos/numero', input(numberQuery), requireUser, async (req, res) => {
    const viewer = actorOf(req);
    const numero = inputOf(req, numberQuery).query.numero ?? '';
    const found = await findProcessByNumber(viewer, numero);
    if (found) return res.redirect(`/processos/${found}`);
    res.status(404).render('processes/not-found', { title: 'Processo não encontrado', numero });
  });

  return router;
}
