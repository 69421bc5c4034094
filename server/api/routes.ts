import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { FailureThrottle } from '../auth/failureThrottle';
import { sendFile } from '../documents/download';
import { readSingleUpload } from '../documents/upload';
import { PermissionDeniedError, UnsupportedMediaTypeError } from '../errors';
import setUpRequestContext from '../middleware/setUpRequestContext';
import { registerProcessSurface } from '../processes/surfaces';
import type { Services } from '../services';
import { tenantUrl } from '../tenancy/urls';
import { NO_INPUT, input, inputOf } from '../validation';
import { API_BASE, OPERATIONS, openApiDocument, type Operation } from './contract';
import { docsPage } from './docs';
import { withIdempotency, type ApiResult } from './idempotency';
import { documentFields } from './schemas';
import { authenticateKey, type ApiPrincipal, type Scope } from './keys';
import { apiErrors, apiNotFound, sendProblem } from './problem';
import { createApiProcess, draftApiDocument, fileApiDocument, apiDownload, apiInbox, readApiProcess, sendApiProcess } from './service';

declare module 'express-serve-static-core' {
  interface Request {
    /** The integration key a /api/v1/ call authenticated with. */
    apiKey?: ApiPrincipal;
  }
}

function principal(req: Request): ApiPrincipal {
  if (!req.apiKey) throw new PermissionDeniedError('Chamada sem chave.');
  return req.apiKey;
}

function requireScope(scope: Scope): RequestHandler {
  return (req, _res, next) =>
    req.apiKey?.scopes.includes(scope) ? next() : next(new PermissionDeniedError(`A chave não tem o escopo ${scope}. Peça ao administrador do ente para incluí-lo em Administração → Integrações.`));
}

/** JSON bodies only (a form or text body is a 415, before anything is parsed). */
const jsonBody: RequestHandler[] = [
  (req, _res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is('application/json')) return next(new UnsupportedMediaTypeError('Envie o corpo em JSON (Content-Type: application/json).'));
    next();
  },
  express.json({ limit: '256kb', strict: true }),
];

function reply(res: Response, result: ApiResult & { replayed: boolean }): void {
  if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
  res.setHeader('Cache-Control', 'no-store');
  res.status(result.status).json(result.body);
}

/**
 * The integration API (issue 17), under /api/v1/ on a tenant host. Mounted before the session and
 * the form-body rule (server/app.ts): a call authenticates only with `Authorization: Bearer <key>`,
 * looked up in this tenant's schema (another tenant's key is unknown here: 401); cookies are never
 * read, so a logged-in browser cannot be used to call it and CSRF does not apply. Every call is
 * audited under the key's name (authenticateKey) and limited per key.
 */
export default function apiRoutes(services: Services): Router {
  const router = Router();
  const { config } = services;
  const perKey = new FailureThrottle(services.sequelize, 'api-key', config.API_CALLS_PER_MINUTE, 60);
  const failures = new FailureThrottle(services.sequelize, 'api-key-ip', config.API_KEY_FAILURES_PER_IP, 15 * 60);

  const tenantOnly: RequestHandler = (req, _res, next) => (req.site.type === 'tenant' ? next() : next('router'));
  router.use(API_BASE, tenantOnly, setUpRequestContext());

  router.get(`${API_BASE}/openapi.json`, input(NO_INPUT), (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(openApiDocument());
  });
  router.get(`${API_BASE}/docs`, input(NO_INPUT), (req, res) => {
    res.render('api/docs', { title: 'API de integração', origin: req.site.type === 'tenant' ? tenantUrl(config, req.site.tenant.slug, '').replace(/\/$/, '') : '', ...docsPage() });
  });

  const authenticate: RequestHandler = async (req, res, next) => {
    const ip = req.ip ?? 'unknown';
    const refuse = (detail: string) => {
      res.setHeader('WWW-Authenticate', 'Bearer realm="api"');
      sendProblem(res, 401, detail);
    };
    const header = req.get('Authorization');
    if (!header) return refuse('Envie a chave de integração no cabeçalho Authorization: Bearer <chave>. Cookies de sessão não autenticam a API.');
    const wait = await failures.blockedFor(ip);
    if (wait) {
      res.setHeader('Retry-After', String(wait));
      return sendProblem(res, 429, 'Muitas chaves inválidas deste endereço. Aguarde e tente novamente.');
    }
    const m = /^Bearer ([\x21-\x7e]{1,200})$/.exec(header);
    const key = m ? await authenticateKey(m[1], { method: req.method, path: req.originalUrl.split('?')[0].slice(0, 300), ip: req.ip ?? null, requestId: req.id ? String(req.id) : null }) : null;
    if (!key) {
      await failures.failed(ip);
      return refuse('Chave de integração inválida, revogada ou de outro ente.');
    }
    // Key ids are per tenant schema; the counters are shared by every tenant (platform.rate_limits).
    const tenantId = req.site.type === 'tenant' ? req.site.tenant.id : '';
    if (!(await perKey.consume(`${tenantId}:${key.keyId}`))) {
      res.setHeader('Retry-After', '60');
      return sendProblem(res, 429, `Limite de ${config.API_CALLS_PER_MINUTE} chamadas por minuto desta chave atingido. Aguarde um minuto.`);
    }
    req.apiKey = key;
    next();
  };
  router.use(API_BASE, authenticate);

  const op = (o: Operation, ...rest: RequestHandler[]): RequestHandler[] => [requireScope(o.scope), ...rest];
  const processUrl = (req: Request) => (pid: string) => tenantUrl(config, req.site.type === 'tenant' ? req.site.tenant.slug : '', `/processos/${pid}`);

  const create = OPERATIONS.createProcess;
  router.post(`${API_BASE}${create.path}`, ...op(create, ...jsonBody), input(create.request), async (req, res) => {
    const key = principal(req);
    const { body } = inputOf(req, create.request);
    const scheme = req.site.type === 'tenant' ? req.site.tenant.numberingScheme : 'nup';
    reply(res, await withIdempotency(req, key.keyId, async () => ({ status: 201, body: await createApiProcess(key, body, scheme) })));
  });

  const read = OPERATIONS.readProcess;
  router.get(`${API_BASE}${read.path}`, ...op(read), input(read.request), async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await readApiProcess(principal(req), inputOf(req, read.request).params.nup));
  });
  registerProcessSurface(`GET ${API_BASE}${read.path}`, 'API: processo por NUP (metadados, interessados, andamentos, documentos)');

  const inbox = OPERATIONS.inbox;
  router.get(`${API_BASE}${inbox.path}`, ...op(inbox), input(inbox.request), async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await apiInbox(principal(req), inputOf(req, inbox.request).query));
  });
  registerProcessSurface(`GET ${API_BASE}${inbox.path}`, 'API: controle de processos da unidade da chave');

  const file = OPERATIONS.fileDocument;
  // The multipart fields, without the file (multer puts it on req.file).
  const fileInput = { params: file.request.params, body: documentFields };
  const multipartOnly: RequestHandler = (req, _res, next) =>
    req.is('multipart/form-data') ? next() : next(new UnsupportedMediaTypeError('Envie o documento como multipart/form-data, com o arquivo no campo "arquivo".'));
  router.post(`${API_BASE}${file.path}`, ...op(file, multipartOnly, readSingleUpload(config.UPLOAD_MAX_BYTES)), input(fileInput), async (req, res) => {
    const key = principal(req);
    const { params, body } = inputOf(req, fileInput);
    reply(res, await withIdempotency(req, key.keyId, async () => ({ status: 201, body: await fileApiDocument(key, params.nup, body, req.file, req.uploadError) })));
  });

  const draft = OPERATIONS.draftDocument;
  router.post(`${API_BASE}${draft.path}`, ...op(draft, ...jsonBody), input(draft.request), async (req, res) => {
    const key = principal(req);
    const { params, body } = inputOf(req, draft.request);
    reply(res, await withIdempotency(req, key.keyId, async () => ({ status: 201, body: await draftApiDocument(key, params.nup, body) })));
  });

  const download = OPERATIONS.downloadDocument;
  router.get(`${API_BASE}${download.path}`, ...op(download), input(download.request), async (req, res) => {
    await sendFile(req, res, await apiDownload(principal(req), inputOf(req, download.request).params.id));
  });
  registerProcessSurface(`GET ${API_BASE}${download.path}`, 'API: arquivo de documento externo');

  const send = OPERATIONS.sendProcess;
  router.post(`${API_BASE}${send.path}`, ...op(send, ...jsonBody), input(send.request), async (req, res) => {
    const key = principal(req);
    const { params, body } = inputOf(req, send.request);
    reply(res, await withIdempotency(req, key.keyId, async () => ({ status: 200, body: await sendApiProcess(key, params.nup, body, processUrl(req)) })));
  });

  router.use(API_BASE, apiNotFound);
  router.use(API_BASE, apiErrors);
  return router;
}
