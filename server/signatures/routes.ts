import { Router, type Request, type Response } from 'express';
import { registerProcessSurface } from '../processes/surfaces';
import { ValidationError } from '../errors';
import { requireUser } from '../middleware/setUpAuth';
import type { Services } from '../services';
import { actorOf } from '../web/actor';
import { flash } from '../web/flash';
import { renderForm } from '../web/forms';
import { documentForActor } from '../documents/service';
import { signSchema } from '../documents/validation';
import { idParams, input, parseForm, type FieldErrors } from '../validation';
import { signDocument, signerTitlesOf, TooManySignatureAttemptsError } from './service';
import { signatureThrottle } from './throttle';

/** "Assinar": pick a cargo/função, re-enter the password. */
export default function signatureRoutes(services: Services): Router {
  const router = Router();
  const throttle = signatureThrottle(services.sequelize);

  async function renderSign(req: Request, res: Response, status = 200, values: Record<string, unknown> = {}, errors: FieldErrors = {}, failure?: string) {
    const actor = actorOf(req);
    const doc = await documentForActor(actor, String(req.params.id));
    const titles = await signerTitlesOf(actor.userId);
    renderForm(res, 'signatures/sign', status, { title: `Assinar ${doc.title}`, doc, titles, failure }, { values: { signerTitleId: titles.length === 1 ? titles[0].id : '', ...values, password: '' }, errors });
  }

  router.get('/documentos/:id/assinar', input({ params: idParams('id') }), requireUser, (req, res) => renderSign(req, res));

  router.post('/documentos/:id/assinar', input({ params: idParams('id') }), requireUser, async (req, res) => {
    const parsed = parseForm(signSchema, req.body);
    if (!parsed.ok) return renderSign(req, res, 422, req.body, parsed.errors);
    try {
      await signDocument(actorOf(req), String(req.params.id), parsed.data, throttle);
    } catch (err) {
      if (err instanceof TooManySignatureAttemptsError) return renderSign(req, res, 429, req.body, {}, err.message);
      if (err instanceof ValidationError) return renderSign(req, res, 422, req.body, err.fields);
      throw err;
    }
    flash(req, 'Documento assinado.');
    res.redirect(`/documentos/${req.params.id}`);
  });

  return router;
}

registerProcessSurface('GET /documentos/:id/assinar', 'formulário de assinatura: título do documento');
