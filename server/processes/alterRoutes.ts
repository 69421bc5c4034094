import { Router } from 'express';
import { PermissionDeniedError } from '../errors';
import { requireUser } from '../middleware/setUpAuth';
import { idParams, input, parseForm } from '../validation';
import { flash } from '../web/flash';
import { formErrorsOf } from '../web/forms';
import { actorOf } from '../web/actor';
import { alterProcess } from './actions';
import { renderProcessForm } from './pages';
import { partiesFrom, processFieldsSchema } from './validation';
import { processPage } from './view';

/** Alterar processo: the form with the process's fields, and its action. */
export default function alterRoutes(): Router {
  const router = Router();

  router.get('/processos/:id/alterar', input({ params: idParams('id') }), requireUser, async (req, res) => {
    const viewer = actorOf(req);
    const page = await processPage(String(req.params.id), viewer);
    if (!page.actions.alter) throw new PermissionDeniedError('Só é possível alterar um processo aberto na unidade atual e não anexado.');
    const values: Record<string, unknown> = {
      processTypeId: page.processTypeId,
      specification: page.specification,
      accessLevel: page.accessLevel,
      legalBasisId: page.legalBasisId ?? '',
      secrecyGrade: page.secrecyGrade ?? '',
    };
    page.parties.forEach((p, i) => {
      values[`partyName${i}`] = p.name;
      values[`partyDocument${i}`] = p.document;
    });
    await renderProcessForm(res, 'processes/alter', { title: `Alterar processo ${page.number}`, p: page }, values);
  });

  router.post('/processos/:id/alterar', input({ params: idParams('id') }), requireUser, async (req, res) => {
    const viewer = actorOf(req);
    const id = String(req.params.id);
    const body = req.body as Record<string, unknown>;
    const parsed = parseForm(processFieldsSchema, body);
    const extra = async () => ({ title: 'Alterar processo', p: await processPage(id, viewer) });
    if (!parsed.ok) return renderProcessForm(res, 'processes/alter', await extra(), body, parsed.errors, 422);
    try {
      await alterProcess(id, viewer, { ...parsed.data, parties: partiesFrom(body) });
    } catch (err) {
      const errors = formErrorsOf(err);
      if (!errors) throw err;
      return renderProcessForm(res, 'processes/alter', await extra(), body, errors, 422);
    }
    flash(req, 'Processo alterado.');
    res.redirect(`/processos/${id}`);
  });

  return router;
}
