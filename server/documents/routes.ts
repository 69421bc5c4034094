import { z } from 'zod';
import { Router, type Request, type Response } from 'express';
import { diffWords } from 'diff';
import { ConflictError, ValidationError } from '../errors';
import { requireUser } from '../middleware/setUpAuth';
import type { Services } from '../services';
import { qrDataUrl, verificationPageUrl, verificationUrl } from '../signatures/verification';
import { idParams, idSchema, input, inputOf, parseForm, type FieldErrors } from '../validation';
import { registerProcessSurface } from '../processes/surfaces';
import { actorOf } from '../web/actor';
import { renderForm } from '../web/forms';
import { flash, takeFlash } from '../web/flash';
import {
  cancelDocument,
  createExternalDocument,
  createInternalDocument,
  deleteDocument,
  documentForActor,
  documentFormOptions,
  downloadFile,
  documentTree,
  listVersions,
  documentPageFor,
  processForNewDocument,
  readableProcessFor,
  restoreDocumentVersion,
  saveDocumentBody,
  versionBodies,
  type DocumentPage,
} from './service';
import { sendFile } from './download';
import { ACCEPTED_DESCRIPTION, formatBytes } from './upload';
import { bodySchema, cancelSchema, externalDocumentSchema, internalDocumentSchema } from './validation';
import { ACCESS_LEVEL_OPTIONS } from '../processes/accessLevels';
import { todayInSaoPaulo } from '../processes/dates';


/** Document screens: include (internal/external), open, edit with versions, delete/cancel, download. */
/** A version number of a document (1, 2, …), as the versions page links it. */
const versionNumber = z.string({ error: 'Escolha as duas versões a comparar.' }).regex(/^[1-9][0-9]{0,5}$/, 'Escolha as duas versões a comparar.').transform(Number);

export default function documentRoutes(services: Services): Router {
  const router = Router();
  const { config } = services;


  async function renderNew(req: Request, res: Response, status = 200, values: Record<string, unknown> = {}, errors: FieldErrors = {}) {
    const { process, defaults } = await processForNewDocument(actorOf(req), String(req.params.processId));
    renderForm(res, 'documents/new-internal', status, { title: 'Incluir documento', process, ...(await documentFormOptions('internal')), levels: ACCESS_LEVEL_OPTIONS }, { values: { ...defaults, ...values }, errors });
  }

  router.get('/processos/:processId/documentos/novo', input({ params: idParams('processId') }), requireUser, (req, res) => renderNew(req, res));

  router.post('/processos/:processId/documentos', input({ params: idParams('processId') }), requireUser, async (req, res) => {
    const parsed = parseForm(internalDocumentSchema, req.body);
    if (!parsed.ok) return renderNew(req, res, 422, req.body, parsed.errors);
    try {
      const doc = await createInternalDocument(actorOf(req), String(req.params.processId), parsed.data);
      res.redirect(`/documentos/${doc.id}/editar`);
    } catch (err) {
      if (err instanceof ValidationError) return renderNew(req, res, 422, req.body, { _form: err.message, ...err.fields });
      throw err;
    }
  });

  async function renderUpload(req: Request, res: Response, status = 200, values: Record<string, unknown> = {}, errors: FieldErrors = {}) {
    const { process, defaults } = await processForNewDocument(actorOf(req), String(req.params.processId));
    renderForm(
      res,
      'documents/new-external',
      status,
      {
        title: 'Incluir documento externo',
        process,
        ...(await documentFormOptions('external')),
        levels: ACCESS_LEVEL_OPTIONS,
        accepted: ACCEPTED_DESCRIPTION,
        maxSize: formatBytes(config.UPLOAD_MAX_BYTES),
      },
      { values: { ...defaults, origin: 'nato_digital', documentDate: todayInSaoPaulo(), ...values }, errors },
    );
  }

  router.get('/processos/:processId/documentos/externo/novo', input({ params: idParams('processId') }), requireUser, (req, res) => renderUpload(req, res));

  router.post('/processos/:processId/documentos/externo', input({ params: idParams('processId') }), requireUser, async (req, res) => {
    const values = { ...(req.body ?? {}) } as Record<string, unknown>;
    if (req.uploadError) return renderUpload(req, res, 413, values, { arquivo: req.uploadError });
    const parsed = parseForm(externalDocumentSchema, values);
    if (!parsed.ok) return renderUpload(req, res, 422, values, parsed.errors);
    try {
      const doc = await createExternalDocument(actorOf(req), String(req.params.processId), { ...parsed.data, file: req.file });
      res.redirect(`/documentos/${doc.id}`);
    } catch (err) {
      if (err instanceof ValidationError) return renderUpload(req, res, 422, values, Object.keys(err.fields).length ? err.fields : { _form: err.message });
      throw err;
    }
  });

  router.get('/processos/:processId/documentos', input({ params: idParams('processId') }), requireUser, async (req, res) => {
    const actor = actorOf(req);
    const process = await readableProcessFor(actor, String(req.params.processId));
    const tree = await documentTree(actor, process.id);
    res.render('documents/process-documents', { title: `Documentos do processo ${process.number}`, process, tree, flash: takeFlash(req) });
  });

  async function documentPage(res: Response, req: Request, page: DocumentPage, extra: Record<string, unknown> = {}) {
    const { doc, process, tree } = page;
    const url = doc.crc ? verificationUrl(config, doc.verificationCode, doc.crc) : null;
    res.render('documents/show', {
      title: doc.title,
      process,
      tree: tree.map((e) => ({ ...e, current: e.id === doc.id })),
      doc,
      verification: url ? { url, pageUrl: verificationPageUrl(config), qr: await qrDataUrl(url) } : null,
      fileSize: doc.fileSize ? formatBytes(Number(doc.fileSize)) : null,
      isImage: !!doc.fileMime?.startsWith('image/') && doc.fileMime !== 'image/tiff',
      flash: takeFlash(req),
      ...extra,
    });
  }

  router.get('/documentos/:id', input({ params: idParams('id') }), requireUser, async (req, res) => {
    await documentPage(res, req, await documentPageFor(actorOf(req), String(req.params.id)));
  });

  router.get('/documentos/:id/arquivo', input({ params: idParams('id') }), requireUser, async (req, res) => {
    const file = await downloadFile(actorOf(req), String(req.params.id));
    const inline = req.query.ver === '1' && file.mime.startsWith('image/');
    await sendFile(req, res, file, inline ? 'inline' : 'attachment');
  });

  async function renderEditor(req: Request, res: Response, status = 200, body?: string, errors: FieldErrors = {}) {
    const doc = await documentForActor(actorOf(req), String(req.params.id));
    if (doc.editBlocker) throw new ConflictError(doc.editBlocker);
    const confirmed = req.query.remover_assinaturas === 'sim' || req.body?.removeSignatures === 'sim';
    if (doc.signed && !confirmed) {
      return res.status(status === 200 ? 200 : 409).render('documents/edit-signed', { title: `Editar ${doc.title}: remover as assinaturas?`, doc });
    }
    renderForm(res, 'documents/edit', status, { title: `Editar ${doc.title}`, doc, body: body ?? doc.bodyHtml, editorAssets: true }, { errors });
  }

  router.get('/documentos/:id/editar', input({ params: idParams('id') }), requireUser, (req, res) => renderEditor(req, res));

  router.post('/documentos/:id/editar', input({ params: idParams('id') }), requireUser, async (req, res) => {
    const parsed = parseForm(bodySchema, req.body);
    if (!parsed.ok) return renderEditor(req, res, 422, undefined, parsed.errors);
    const result = await saveDocumentBody(actorOf(req), String(req.params.id), parsed.data.body, null, {
      removeSignatures: parsed.data.removeSignatures === 'sim',
    });
    flash(req, result.signaturesRemoved ? 'Documento salvo. As assinaturas anteriores foram removidas porque o texto mudou: assine novamente.' : 'Documento salvo.');
    res.redirect(`/documentos/${req.params.id}`);
  });

  router.get('/documentos/:id/versoes', input({ params: idParams('id') }), requireUser, async (req, res) => {
    const { document, versions } = await listVersions(actorOf(req), String(req.params.id));
    res.render('documents/versions', { title: `Versões de ${document.title}`, doc: document, versions });
  });

  const compareInput = { params: idParams('id'), query: z.object({ de: versionNumber, para: versionNumber }) };
  router.get('/documentos/:id/versoes/comparar', input(compareInput), requireUser, async (req, res) => {
    const { de: a, para: b } = inputOf(req, compareInput).query;
    const { document, from, to } = await versionBodies(actorOf(req), String(req.params.id), a, b);
    const { htmlToText } = await import('./sanitize');
    const parts = diffWords(htmlToText(from), htmlToText(to)).map((p) => ({ value: p.value, added: !!p.added, removed: !!p.removed }));
    res.render('documents/compare', { title: `Comparar versões de ${document.title}`, doc: document, a, b, parts });
  });

  router.post('/documentos/:id/versoes/:version/restaurar', input({ params: z.object({ id: idSchema, version: versionNumber }) }), requireUser, async (req, res) => {
    await restoreDocumentVersion(actorOf(req), String(req.params.id), inputOf(req, { params: z.object({ version: versionNumber }) }).params.version);
    flash(req, 'Versão restaurada.');
    res.redirect(`/documentos/${req.params.id}`);
  });

  router.post('/documentos/:id/excluir', input({ params: idParams('id') }), requireUser, async (req, res) => {
    const doc = await documentForActor(actorOf(req), String(req.params.id));
    await deleteDocument(actorOf(req), doc.id);
    flash(req, 'Documento excluído.');
    res.redirect(`/processos/${doc.processId}/documentos`);
  });

  async function renderCancel(req: Request, res: Response, status = 200, values: Record<string, unknown> = {}, errors: FieldErrors = {}) {
    const doc = await documentForActor(actorOf(req), String(req.params.id));
    renderForm(res, 'documents/cancel', status, { title: `Cancelar ${doc.title}`, doc }, { values, errors });
  }

  router.get('/documentos/:id/cancelar', input({ params: idParams('id') }), requireUser, (req, res) => renderCancel(req, res));

  router.post('/documentos/:id/cancelar', input({ params: idParams('id') }), requireUser, async (req, res) => {
    const parsed = parseForm(cancelSchema, req.body);
    if (!parsed.ok) return renderCancel(req, res, 422, req.body, parsed.errors);
    await cancelDocument(actorOf(req), String(req.params.id), parsed.data.reason);
    flash(req, 'Documento cancelado.');
    res.redirect(`/documentos/${req.params.id}`);
  });

  return router;
}

registerProcessSurface('GET /processos/:processId/documentos', 'árvore de documentos do processo');
registerProcessSurface('GET /processos/:processId/documentos/novo', 'formulário de novo documento');
registerProcessSurface('GET /processos/:processId/documentos/externo/novo', 'formulário de documento externo');
registerProcessSurface('GET /documentos/:id', 'documento: título, número, conteúdo, assinaturas');
registerProcessSurface('GET /documentos/:id/arquivo', 'arquivo do documento externo');
registerProcessSurface('GET /documentos/:id/editar', 'editor do documento');
registerProcessSurface('GET /documentos/:id/versoes', 'versões do documento');
registerProcessSurface('GET /documentos/:id/versoes/comparar', 'comparação de versões');
registerProcessSurface('GET /documentos/:id/cancelar', 'formulário de cancelamento');
