import { Readable } from 'node:stream';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { auditActorOf } from '../audit/record';
import { hasRole, requireRole } from '../auth/currentUnit';
import { actorOf } from '../web/actor';
import { flash, takeFlash } from '../web/flash';
import { renderForm, withFieldErrors } from '../web/forms';
import { sendFile } from '../documents/download';
import { formatBytes } from '../documents/upload';
import { ValidationError } from '../errors';
import { requireUser } from '../middleware/setUpAuth';
import type { CitizenRequestStatus } from '../models';
import type { Services } from '../services';
import { idParams, input, inputOf, parseForm, queryChoice, queryId, type FieldErrors } from '../validation';
import { listServices } from './catalog';
import { REQUEST_STATUS_LABELS } from './following';
import { idFrom } from './params';
import { DOCUMENTS_HINT, staffDocuments } from './uploads';
import { AMENDMENT_DAYS, answerRequest, convertRequest, openForTriage, requestAmendment, triageFile, triageQueue, unreadCount } from './triage';

const STATUSES = Object.keys(REQUEST_STATUS_LABELS).filter((s) => s !== 'draft') as CitizenRequestStatus[];
const AGES = { today: 'Últimas 24 horas', week: 'Últimos 7 dias', month: 'Últimos 30 dias', older: 'Mais de 30 dias' } as const;

const queueSchema = z.object({
  servico: queryId,
  situacao: queryChoice(STATUSES, 'Escolha uma situação da lista.'),
  idade: queryChoice(Object.keys(AGES) as (keyof typeof AGES)[], 'Escolha uma idade da lista.'),
});
const answerSchema = z.object({ resposta: z.string({ message: 'Escreva a resposta.' }).trim().min(5, 'Escreva a resposta ao cidadão (pelo menos 5 caracteres).').max(10_000, 'A resposta pode ter no máximo 10.000 caracteres.') });
const amendmentSchema = z.object({
  mensagem: z.string({ message: 'Escreva o que falta.' }).trim().min(5, 'Diga ao cidadão o que falta (pelo menos 5 caracteres).').max(5000, 'A mensagem pode ter no máximo 5.000 caracteres.'),
  prazo: z.enum(AMENDMENT_DAYS.map(String) as [string, ...string[]], { message: 'Escolha o prazo: 7, 15, 30 ou 60 dias.' }).transform(Number),
});
const convertSchema = z
  .object({
    destino: z.enum(['novo', 'existente'], { message: 'Escolha: processo novo ou processo existente.' }),
    especificacao: z.string().trim().max(100, 'A especificação tem no máximo 100 caracteres.').optional().default(''),
    numeroProcesso: z.string().trim().max(30, 'Número inválido.').optional().default(''),
  })
  .superRefine((v, ctx) => {
    if (v.destino === 'novo' && !v.especificacao) ctx.addIssue({ code: 'custom', path: ['especificacao'], message: 'Informe a especificação do processo.' });
    if (v.destino === 'existente' && !v.numeroProcesso) ctx.addIssue({ code: 'custom', path: ['numeroProcesso'], message: 'Informe o número do processo existente.' });
  });

/** Shows the "Protocolo" header entry (with the unread count) to Protocolo users of the current unit. */
export const exposeProtocolQueue: RequestHandler = async (req, res, next) => {
  if (req.site?.type === 'tenant' && req.user?.type === 'user' && hasRole(req, 'protocol') && res.locals.currentUnit) {
    res.locals.isProtocol = true;
    res.locals.protocolUnread = await unreadCount((res.locals.currentUnit as { unitId: string }).unitId);
  }
  next();
};

const requestIdOf = (req: Request): string => idFrom(req.params, 'Solicitação não encontrada nesta unidade.');

/** /triagem: the Protocolo users' queue of citizen requests of their unit and its actions. */
export default function triageRoutes({ config }: Services): Router {
  const router = Router();
  router.use('/triagem', requireUser, requireRole('protocol'));

  const queueInput = { query: queueSchema };
  router.get('/triagem', input(queueInput), async (req, res) => {
    const filter = inputOf(req, queueInput).query;
    const actor = actorOf(req);
    const rows = await triageQueue(actor.unitId, { serviceId: filter.servico, status: filter.situacao, age: filter.idade });
    res.render('protocol/triage-queue', {
      title: 'Protocolo: solicitações de cidadãos',
      rows,
      services: (await listServices()).map((s) => ({ value: s.id, label: s.name, selected: s.id === filter.servico })),
      statuses: STATUSES.map((s) => ({ value: s, label: REQUEST_STATUS_LABELS[s], selected: s === filter.situacao })),
      ages: Object.entries(AGES).map(([value, label]) => ({ value, label, selected: value === filter.idade })),
    });
  });

  const renderRequest = async (req: Request, res: Response, status: number, errors: FieldErrors = {}, values: Record<string, unknown> = {}): Promise<void> => {
    const view = await openForTriage(actorOf(req), auditActorOf(req), requestIdOf(req));
    renderForm(
      res,
      'protocol/triage-request',
      status,
      {
        title: `Solicitação nº ${view.number}`,
        view,
        files: view.files.map((f) => ({ ...f, sizeLabel: formatBytes(f.size) })),
        days: AMENDMENT_DAYS.map((d) => ({ value: String(d), label: `${d} dias`, selected: String(values.prazo ?? '15') === String(d) })),
        documentsHint: DOCUMENTS_HINT,
        flash: takeFlash(req),
      },
      { values: { especificacao: `${view.serviceName} — ${view.citizen.name}`.slice(0, 100), destino: 'novo', ...values }, errors },
    );
  };

  router.get('/triagem/:id', input({ params: idParams('id') }), (req, res) => renderRequest(req, res, 200));

  router.get('/triagem/:id/anexos/:fileId/arquivo', input({ params: idParams('id', 'fileId') }), async (req, res) => {
    const fileId = idFrom({ id: req.params.fileId }, 'Anexo não encontrado.');
    const file = await triageFile(actorOf(req), auditActorOf(req), requestIdOf(req), fileId);
    await sendFile(req, res, { name: file.name, mime: file.mime, size: file.bytes.length, open: () => Readable.from([file.bytes]) });
  });

  /** An action on the request: its form parsed, then `run`, whose answer is the message shown on the request's page. */
  const act = (schema: z.ZodType<unknown>, run: (req: Request, data: never) => Promise<string>) => async (req: Request, res: Response) => {
    const id = requestIdOf(req);
    const parsed = parseForm(schema, req.body);
    if (!parsed.ok) return renderRequest(req, res, 422, parsed.errors, req.body as Record<string, unknown>);
    const outcome = await withFieldErrors(() => run(req, parsed.data as never));
    if (!outcome.ok) return renderRequest(req, res, 422, outcome.errors, req.body as Record<string, unknown>);
    flash(req, outcome.value);
    res.redirect(303, `/triagem/${id}`);
  };

  router.post(
    '/triagem/:id/responder',
    input({ params: idParams('id') }),
    act(answerSchema, async (req, data: z.infer<typeof answerSchema>) => {
      const documents = await staffDocuments(req);
      await answerRequest(config, actorOf(req), auditActorOf(req), requestIdOf(req), data.resposta, documents);
      return 'Resposta enviada ao cidadão.';
    }),
  );

  router.post(
    '/triagem/:id/complementacao',
    input({ params: idParams('id') }),
    act(amendmentSchema, async (req, data: z.infer<typeof amendmentSchema>) => {
      await requestAmendment(config, actorOf(req), auditActorOf(req), requestIdOf(req), data.mensagem, data.prazo);
      return 'Complementação solicitada: o cidadão recebeu o pedido por e-mail.';
    }),
  );

  router.post(
    '/triagem/:id/converter',
    input({ params: idParams('id') }),
    act(convertSchema, async (req, data: z.infer<typeof convertSchema>) => {
      const scheme = req.site.type === 'tenant' ? req.site.tenant.numberingScheme : 'nup';
      const input = data.destino === 'novo' ? { existingNumber: null, specification: data.especificacao } : { existingNumber: data.numeroProcesso, specification: '' };
      try {
        await convertRequest(config, actorOf(req), auditActorOf(req), scheme, requestIdOf(req), input);
      } catch (err) {
        // The service names the field by its code name; the form by its input.
        if (err instanceof ValidationError && err.fields.existingNumber) throw new ValidationError(err.message, { numeroProcesso: err.fields.existingNumber });
        throw err;
      }
      return 'Solicitação convertida em processo.';
    }),
  );

  return router;
}
