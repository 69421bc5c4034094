import { Router, type Request, type Response } from 'express';
import { auditActorOf } from '../audit/record';
import { requireRole } from '../auth/currentUnit';
import { ValidationError } from '../errors';
import { requireUser } from '../middleware/setUpAuth';
import { formatBytes } from '../documents/upload';
import { NO_INPUT, input } from '../validation';
import { flash, takeFlash } from '../web/flash';
import { renderForm } from '../web/forms';
import { ARMS_MAX_BYTES, armsImage, saveArms } from './service';

/** The tenant's brasão: served to everyone (headers, letterheads, public pages), replaced by its administrators. */
export default function letterheadRoutes(): Router {
  const router = Router();

  router.get('/brasao', input(NO_INPUT), async (req, res) => {
    const arms = await armsImage();
    if (!arms) return res.redirect(302, '/static/app/brasao.svg');
    const etag = `"${arms.sha256}"`;
    res.set({ 'Cache-Control': 'no-cache', ETag: etag, 'X-Content-Type-Options': 'nosniff' });
    if (req.headers['if-none-match'] === etag) return res.status(304).end();
    res.type(arms.mime).send(arms.bytes);
  });

  const render = (res: Response, status = 200, extra: Record<string, unknown> = {}, errors: Record<string, string> = {}): void => {
    renderForm(res, 'letterhead/arms', status, { title: 'Brasão e cabeçalho dos documentos', maxSize: formatBytes(ARMS_MAX_BYTES), version: Date.now(), ...extra }, { errors });
  };

  router.get('/administracao/brasao', input(NO_INPUT), requireUser, requireRole('admin'), (req: Request, res) => {
    render(res, 200, { flash: takeFlash(req) });
  });

  router.post('/administracao/brasao', input(NO_INPUT), requireUser, requireRole('admin'), async (req, res) => {
    const fail = (message: string, status: number): void => render(res, status, {}, { arquivo: message });
    if (req.uploadError) return fail(req.uploadError, 413);
    try {
      await saveArms(auditActorOf(req), req.file);
    } catch (err) {
      if (err instanceof ValidationError) return fail(err.fields.arquivo ?? err.message, 422);
      throw err;
    }
    flash(req, 'Brasão salvo. Ele já aparece no cabeçalho dos documentos e do site.');
    res.redirect(303, '/administracao/brasao');
  });

  return router;
}
