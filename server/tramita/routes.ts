import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { auditActorOf } from '../audit/record';
import { requireRole } from '../auth/currentUnit';
import { formatBytes } from '../documents/upload';
import { requireUser } from '../middleware/setUpAuth';
import type { Services } from '../services';
import { registerProcessSurface } from '../processes/surfaces';
import { NO_INPUT, idParams, input, inputOf, parseForm, queryText, type FieldErrors } from '../validation';
import { actorOf } from '../web/actor';
import { flash, takeFlash } from '../web/flash';
import { formErrorsOf, renderForm, withFieldErrors } from '../web/forms';
import { receivingDirectory, saveTramitaAdmin } from './admin';
import { parseTramitaAdminForm } from './adminForm';
import { externalSendForm, receiptPdf, tramitaAdminData } from './pages';
import { importPackage } from './import';
import { writePackageFile } from './packageFile';
import { packageFor, receivedPage, refuseTransfer } from './receive';
import { acceptOrQueue } from './unpacking';
import { acknowledgeRefusal, cancelTransfer, exportPackage, sendToOtherGovernment } from './send';
import { REFUSAL_CODES } from './transit';

registerProcessSurface('GET /processos/:id/enviar-outro-orgao', 'envio a outro órgão: número do processo');
registerProcessSurface('GET /processos/:id/exportar-tramite', 'pacote de trâmite em arquivo: metadados e documentos do processo');

const sendSchema = z.object({
  destino: z.string({ message: 'Escolha o órgão e a unidade de destino na lista.' }).regex(/^[1-9][0-9]{0,17}:[1-9][0-9]{0,17}$/, 'Escolha o órgão e a unidade de destino na lista.'),
  message: z.string().trim().max(1000, 'A mensagem pode ter no máximo 1.000 caracteres.').optional(),
  keepOpen: z.literal('on').optional(),
});
const refuseSchema = z.object({
  code: z.enum(Object.keys(REFUSAL_CODES) as [keyof typeof REFUSAL_CODES], { message: 'Escolha o motivo da recusa na lista.' }),
  reason: z.string().trim().max(1000, 'O motivo pode ter no máximo 1.000 caracteres.').optional(),
});
const refusalOptions = Object.entries(REFUSAL_CODES).map(([code, label]) => ({ code, label }));

/** Tramita's pages: sending to another government, the received packages, receipts, administration. */
export default function tramitaRoutes({ config }: Services): Router {
  const router = Router();

  const renderSend = async (req: Request, res: Response, status: number, values: Record<string, unknown> = {}, errors: FieldErrors = {}): Promise<void> => {
    const q = typeof values.q === 'string' ? values.q : '';
    const data = await externalSendForm(actorOf(req), String(req.params.id), q);
    renderForm(res, 'tramita/send', status, {
      title: 'Enviar para outro órgão',
      ...data,
      q,
      units: data.units.map((u) => ({ ...u, enteName: u.ente, value: `${u.tenantId}:${u.unitId}`, checked: values.destino === `${u.tenantId}:${u.unitId}` })),
      exporting: values.exporting === true,
      scripts: ['/static/app/tramita.js'],
      prerequisites: Object.entries(errors).filter(([k]) => !['destino', 'message', '_form'].includes(k)).map(([, m]) => m),
    }, { values: { message: values.message ?? '', keepOpen: values.keepOpen === 'on' }, errors });
  };

  const sendInput = { params: idParams('id'), query: z.object({ q: queryText(100) }) };
  router.get('/processos/:id/enviar-outro-orgao', input(sendInput), requireUser, async (req, res) => {
    await renderSend(req, res, 200, { q: req.query.q ?? '' });
  });

  // The send page's type-ahead: the platform directory of receiving units (no process data).
  const directoryInput = { query: z.object({ q: queryText(100) }) };
  router.get('/api/tramita/diretorio', input(directoryInput), requireUser, async (req, res) => {
    res.json(await receivingDirectory(inputOf(req, directoryInput).query.q ?? ''));
  });

  router.post('/processos/:id/enviar-outro-orgao', input({ params: idParams('id') }), requireUser, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = parseForm(sendSchema, body);
    if (!parsed.ok) return renderSend(req, res, 422, body, parsed.errors);
    const [receiverTenantId, receiverUnitId] = parsed.data.destino.split(':');
    const sent = await withFieldErrors(() =>
      sendToOtherGovernment(String(req.params.id), actorOf(req), { receiverTenantId, receiverUnitId, message: parsed.data.message ?? null, keepOpen: parsed.data.keepOpen === 'on' }),
    );
    if (!sent.ok) return renderSend(req, res, 422, body, sent.errors);
    flash(
      req,
      sent.value.packing === 'packed'
        ? 'Processo enviado para o outro órgão. Enquanto o trâmite não terminar, ele fica somente para leitura nesta unidade.'
        : 'Processo enviado para o outro órgão: os documentos estão sendo empacotados em segundo plano, e o andamento aparece abaixo. Enquanto o trâmite não terminar, ele fica somente para leitura nesta unidade.',
    );
    res.redirect(303, `/processos/${String(req.params.id)}`);
  });

  router.post('/tramita/:id/cancelar', input({ params: idParams('id') }), requireUser, async (req, res) => {
    const { processId } = await cancelTransfer(String(req.params.id), actorOf(req));
    flash(req, 'Trâmite externo cancelado. O processo voltou a ficar disponível nesta unidade.');
    res.redirect(303, `/processos/${processId}`);
  });

  router.post('/tramita/:id/ciencia', input({ params: idParams('id') }), requireUser, async (req, res) => {
    const { processId } = await acknowledgeRefusal(String(req.params.id), actorOf(req));
    flash(req, 'Ciência da recusa registrada.');
    res.redirect(303, `/processos/${processId}`);
  });

  // The same package as a file, for a system outside PEN Nuvem (docs/tramita-package.md).
  router.get('/processos/:id/exportar-tramite', input({ params: idParams('id') }), requireUser, async (req, res) => {
    const exported = await withFieldErrors(() => exportPackage(String(req.params.id), actorOf(req)));
    if (!exported.ok) return renderSend(req, res, 422, { exporting: true }, exported.errors);
    res.type('application/zip').attachment(exported.value.fileName);
    await writePackageFile(res, exported.value.manifest, exported.value.components);
  });

  const renderReceived = async (req: Request, res: Response, status: number, errors: FieldErrors = {}): Promise<void> => {
    renderForm(res, 'tramita/received', status, { title: 'Recebidos de outros órgãos', ...(await receivedPage(actorOf(req))), maxSize: formatBytes(config.UPLOAD_MAX_BYTES), flash: takeFlash(req) }, { errors });
  };

  router.get('/tramita/recebidos', input(NO_INPUT), requireUser, async (req, res) => {
    await renderReceived(req, res, 200);
  });

  router.post('/tramita/recebidos/importar', input(NO_INPUT), requireUser, async (req, res) => {
    if (req.uploadError) return renderReceived(req, res, 413, { arquivo: req.uploadError });
    if (!req.file) return renderReceived(req, res, 422, { arquivo: 'Escolha o arquivo do pacote de trâmite (.zip).' });
    const bytes = req.file.buffer;
    const imported = await withFieldErrors(() => importPackage(actorOf(req), auditActorOf(req), bytes));
    if (!imported.ok) return renderReceived(req, res, 422, imported.errors);
    const { transferId, refusal } = imported.value;
    flash(
      req,
      refusal
        ? `O pacote foi importado e recusado automaticamente — ${refusal.code}: ${REFUSAL_CODES[refusal.code]}. ${refusal.reason}`
        : 'Pacote importado. Confira a verificação dos componentes e aceite ou recuse o processo.',
    );
    res.redirect(303, `/tramita/recebidos/${transferId}`);
  });

  const renderPackage = async (req: Request, res: Response, status: number, values: Record<string, unknown> = {}, errors: FieldErrors = {}): Promise<void> => {
    const pkg = await packageFor(actorOf(req), String(req.params.id));
    renderForm(res, 'tramita/package', status, {
      title: `Processo ${pkg.nup} recebido de outro órgão`,
      pkg,
      awaiting: pkg.state === 'componentes_enviados' && !pkg.accepting,
      refusalOptions: refusalOptions.map((o) => ({ value: o.code, label: `${o.code} — ${o.label}`, selected: (values.code ?? pkg.automaticRefusal) === o.code })),
      flash: takeFlash(req),
    }, { values, errors });
  };

  router.get('/tramita/recebidos/:id', input({ params: idParams('id') }), requireUser, async (req, res) => {
    await renderPackage(req, res, 200);
  });

  router.post('/tramita/recebidos/:id/aceitar', input({ params: idParams('id') }), requireUser, async (req, res) => {
    const out = await acceptOrQueue(actorOf(req), String(req.params.id));
    if (out.outcome === 'queued') {
      flash(req, 'Aceite pedido. Por ser grande, o processo está sendo registrado em segundo plano: atualize esta página em alguns instantes.');
      return res.redirect(303, `/tramita/recebidos/${String(req.params.id)}`);
    }
    if (out.outcome === 'accepted') {
      flash(
        req,
        out.returned
          ? `Processo recebido de volta: ${out.added} documento(s) novo(s) juntado(s) a ele nesta unidade. O recibo de conclusão do trâmite foi emitido para os dois órgãos.`
          : 'Processo aceito e registrado nesta unidade. O recibo de conclusão do trâmite foi emitido para os dois órgãos.',
      );
      return res.redirect(303, `/processos/${out.processId}`);
    }
    flash(req, `O pacote foi recusado automaticamente — ${out.code}: ${REFUSAL_CODES[out.code]}. ${out.reason}`);
    res.redirect(303, `/tramita/recebidos/${String(req.params.id)}`);
  });

  router.post('/tramita/recebidos/:id/recusar', input({ params: idParams('id') }), requireUser, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = parseForm(refuseSchema, body);
    if (!parsed.ok) return renderPackage(req, res, 422, body, parsed.errors);
    try {
      await refuseTransfer(actorOf(req), String(req.params.id), parsed.data.code, parsed.data.reason ?? null);
    } catch (err) {
      const errors = formErrorsOf(err);
      if (!errors) throw err;
      return renderPackage(req, res, 422, body, errors);
    }
    flash(req, 'Trâmite recusado. A origem foi informada do motivo.');
    res.redirect(303, '/tramita/recebidos');
  });

  router.get('/tramita/:id/recibo.pdf', input({ params: idParams('id') }), requireUser, async (req, res) => {
    const { fileName, bytes } = await receiptPdf(actorOf(req), String(req.params.id));
    res.type('application/pdf').attachment(fileName).send(bytes);
  });

  router.use('/administracao/tramita', requireUser, requireRole('admin'));
  const renderAdmin = async (req: Request, res: Response, status: number, errors: FieldErrors = {}): Promise<void> => {
    const data = await tramitaAdminData();
    renderForm(res, 'tramita/admin', status, {
      title: 'Trâmite entre órgãos',
      ...data,
      documentTypes: data.documentTypes.map((d) => ({ ...d, options: data.especies.map((e) => ({ ...e, selected: e.code === d.sendEspecie })) })),
      sendDefaults: data.especies.map((e) => ({ ...e, selected: e.code === data.defaults.defaultSendEspecie })),
      receiveDefaults: data.documentTypes.map((d) => ({ id: d.id, name: d.name, selected: d.id === data.defaults.defaultReceiveDocumentTypeId })),
      receiveRows: data.receiveMap.map((r) => ({ ...r, options: data.documentTypes.map((d) => ({ id: d.id, name: d.name, selected: d.id === r.documentTypeId })) })),
      unmappedEspecies: data.especies.filter((e) => !data.receiveMap.some((r) => r.code === e.code)),
      basisRows: data.legalBases.map((b) => ({
        ...b,
        automatic: b.namesake ?? (data.defaults.defaultSendHipotese ? `a padrão (${data.defaults.defaultSendHipotese})` : null),
        options: data.hipoteses.map((h, i) => ({ value: i, name: h.name, selected: h.name === b.sendHipotese })),
      })),
      hipoteseRows: data.hipoteses.map((h, i) => ({ index: i, name: h.name, options: data.legalBases.map((b) => ({ id: b.id, name: b.name, selected: b.id === h.receiveBasisId })) })),
      sendHipoteseDefaults: data.hipoteses.map((h, i) => ({ value: i, name: h.name, selected: h.name === data.defaults.defaultSendHipotese })),
      receiveBasisDefaults: data.legalBases.map((b) => ({ id: b.id, name: b.name, selected: b.id === data.defaults.defaultReceiveLegalBasisId })),
      flash: takeFlash(req),
    }, { errors });
  };

  router.get('/administracao/tramita', input(NO_INPUT), async (req, res) => {
    await renderAdmin(req, res, 200);
  });

  router.post('/administracao/tramita', input(NO_INPUT), async (req, res) => {
    const parsed = parseTramitaAdminForm((req.body ?? {}) as Record<string, unknown>);
    if (!parsed.ok) return renderAdmin(req, res, 422, parsed.errors);
    const saved = await withFieldErrors(() => saveTramitaAdmin(auditActorOf(req), parsed.input));
    if (!saved.ok) return renderAdmin(req, res, 422, saved.errors);
    flash(req, 'Alterações salvas.');
    res.redirect(303, '/administracao/tramita');
  });

  return router;
}
