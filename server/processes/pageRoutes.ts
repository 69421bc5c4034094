import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { requireUser } from '../middleware/setUpAuth';
import { idParams, input, queryId, type FieldErrors } from '../validation';
import { flash, takeFlash } from '../web/flash';
import { formErrorsOf, renderForm } from '../web/forms';
import { actorOf } from '../web/actor';
import type { Viewer } from './access';
import { ACCESS_LEVEL_LABELS } from './accessLevels';
import { annexProcess, assignProcess, concludeProcess, grantCredential, relateProcess, reopenProcess, resumeProcess, revokeCredential, suspendProcess, unrelateProcess } from './actions';
import { GRADE_LABELS, SCRIPTS, STYLES, processPageWithSlots } from './pages';

/** The process page: its id, the full history switch, a document opened in the page. */
const pageInput = {
  params: idParams('id'),
  query: z.object({ historico: z.enum(['completo'], { error: 'Valor inválido para o histórico.' }).optional(), documento: queryId }),
};

async function renderPage(req: Request, res: Response, id: string, errors: FieldErrors = {}, values: Record<string, unknown> = {}, status = 200): Promise<void> {
  const page = await processPageWithSlots(req, res, id, actorOf(req));
  const full = req.query.historico === 'completo';
  renderForm(
    res,
    'processes/show',
    status,
    {
      title: `Processo ${page.number}`,
      stylesheets: STYLES,
      scripts: SCRIPTS,
      p: page,
      accessLabel: ACCESS_LEVEL_LABELS[page.accessLevel],
      gradeLabel: page.secrecyGrade ? GRADE_LABELS[page.secrecyGrade] : null,
      events: full ? page.events : page.events.filter((e) => e.summary),
      fullHistory: full,
      unitUsers: page.unitUsers.map((u) => ({ ...u, selected: u.id === page.here?.assignedUserId })),
      flash: takeFlash(req),
    },
    { values, errors },
  );
}

/** The process page and its inline actions (redirect on success, the page again with errors otherwise). */
export default function pageRoutes(): Router {
  const router = Router();

  router.get('/processos/:id', input(pageInput), requireUser, async (req, res) => {
    await renderPage(req, res, String(req.params.id));
  });

  const inline = (path: string, run: (req: Request, viewer: Viewer, id: string) => Promise<string>) => {
    router.post(`/processos/:id/${path}`, input({ params: idParams('id', ...[...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1])) }), requireUser, async (req, res) => {
      const id = String(req.params.id);
      const viewer = actorOf(req);
      try {
        const message = await run(req, viewer, id);
        flash(req, message);
      } catch (err) {
        const errors = formErrorsOf(err);
        if (!errors) throw err;
        return renderPage(req, res, id, errors, req.body as Record<string, unknown>, 422);
      }
      res.redirect(`/processos/${id}`);
    });
  };
  const field = (req: Request, name: string): string => {
    const v = (req.body as Record<string, unknown>)[name];
    return typeof v === 'string' ? v : '';
  };
  const ip = (req: Request): string | null => req.ip ?? null;

  inline('concluir', async (_req, viewer, id) => {
    await concludeProcess(id, viewer);
    return 'Processo concluído na unidade.';
  });
  inline('reabrir', async (_req, viewer, id) => {
    await reopenProcess(id, viewer);
    return 'Processo reaberto na unidade.';
  });
  inline('atribuir', async (req, viewer, id) => {
    const assignee = field(req, 'assignee');
    await assignProcess(id, viewer, assignee || null);
    return assignee ? 'Processo atribuído.' : 'Atribuição removida.';
  });
  inline('sobrestar', async (req, viewer, id) => {
    await suspendProcess(id, viewer, field(req, 'reason'));
    return 'Processo sobrestado.';
  });
  inline('remover-sobrestamento', async (_req, viewer, id) => {
    await resumeProcess(id, viewer);
    return 'Sobrestamento removido.';
  });
  inline('relacionar', async (req, viewer, id) => {
    await relateProcess(id, viewer, field(req, 'number'));
    return 'Processos relacionados.';
  });
  inline('relacionamentos/:otherId/remover', async (req, viewer, id) => {
    await unrelateProcess(id, viewer, String(req.params.otherId));
    return 'Relacionamento removido.';
  });
  inline('anexar', async (req, viewer, id) => {
    await annexProcess(id, viewer, field(req, 'number'));
    return 'Processo anexado.';
  });
  inline('credenciais', async (req, viewer, id) => {
    await grantCredential(id, viewer, field(req, 'email'), ip(req));
    return 'Credencial de acesso concedida.';
  });
  inline('credenciais/:credentialId/cassar', async (req, viewer, id) => {
    await revokeCredential(id, viewer, String(req.params.credentialId), ip(req));
    return 'Credencial de acesso cassada.';
  });

  return router;
}
