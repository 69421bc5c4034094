import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Scope } from './keys';
import {
  createProcessBody,
  createdDocument,
  createdInternalDocument,
  createdProcess,
  internalDocumentBody,
  documentMultipart,
  documentParams,
  inboxBody,
  inboxQuery,
  nupParams,
  problemBody,
  processBody,
  sendBody,
  sentBody,
} from './schemas';
import WORDS from './operations.pt-BR.json';

/**
 * The operations of the integration API: each one's path, scope, request schemas (the ones
 * `input(...)` validates with in routes.ts) and response schemas. The OpenAPI document is generated
 * from this list, so a route and its documentation cannot drift apart; the contract test checks that
 * every route of the router is here and that every response the tests see fits its schema.
 */

export const API_BASE = '/api/v1';

export interface Operation {
  method: 'get' | 'post';
  /** Express path under API_BASE (`:param`). */
  path: string;
  scope: Scope;
  summary: string;
  description: string;
  request: { params?: z.ZodObject; query?: z.ZodObject; body?: z.ZodType };
  bodyType?: 'application/json' | 'multipart/form-data';
  idempotent?: boolean;
  responses: Record<number, { description: string; schema?: z.ZodType; binary?: boolean }>;
}

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Requisição que não segue o contrato (campos listados em errors).',
  401: 'Chave ausente, inválida, revogada ou de outro ente.',
  403: 'A chave não tem o escopo exigido, ou o processo é restrito a outras unidades.',
  404: 'Processo ou documento inexistente, ou que a unidade da chave não pode encontrar.',
  409: 'Conflito: Idempotency-Key reutilizada com outro corpo, ou ação que o estado do processo não permite.',
  415: 'Corpo num formato que a operação não lê.',
  422: 'Dados que as regras recusam (campos listados em errors).',
  429: 'Limite de requisições por minuto da chave atingido (veja Retry-After).',
};

type Request = Operation['request'];

/** The refusals every read can meet, and every write (a write also meets 400, 409, 415 and 422). */
const READ = [401, 403, 404, 429];
const WRITE = [400, 401, 403, 404, 409, 415, 422, 429];

/**
 * One operation from its route, scope, request schemas, success (status and schema, or 'binary')
 * and refusals, with its words from operations.pt-BR.json (the API page's and the OpenAPI
 * document's). A POST takes a JSON body unless it says otherwise and can be repeated with an
 * Idempotency-Key; every refusal is answered with a problem document.
 */
function operation<R extends Request>(
  name: keyof typeof WORDS,
  at: `${'GET' | 'POST'} /${string}`,
  scope: Scope,
  request: R,
  [status, schema]: [number, z.ZodType | 'binary'],
  refusals: number[],
  bodyType?: Operation['bodyType'],
): Operation & { request: R } {
  const [method, path] = at.split(' ') as ['GET' | 'POST', string];
  const { summary, description, answer } = WORDS[name];
  const ok = schema === 'binary' ? { description: answer, binary: true } : { description: answer, schema };
  return {
    method: method === 'POST' ? 'post' : 'get',
    path,
    scope,
    summary,
    description,
    request,
    ...(method === 'POST' ? { bodyType: bodyType ?? 'application/json', idempotent: true } : {}),
    responses: { [status]: ok, ...Object.fromEntries(refusals.map((c) => [c, { description: PROBLEM_DESCRIPTIONS[c], schema: problemBody }])) },
  };
}

export const OPERATIONS = {
  createProcess: operation('createProcess', 'POST /processos', 'processos:criar', { body: createProcessBody }, [201, createdProcess], WRITE.filter((c) => c !== 404)),
  readProcess: operation('readProcess', 'GET /processos/:nup', 'processos:ler', { params: nupParams }, [200, processBody], READ),
  inbox: operation('inbox', 'GET /caixa', 'processos:ler', { query: inboxQuery }, [200, inboxBody], [400, ...READ.filter((c) => c !== 404)]),
  fileDocument: operation('fileDocument', 'POST /processos/:nup/documentos', 'documentos:incluir', { params: nupParams, body: documentMultipart }, [201, createdDocument], WRITE, 'multipart/form-data'),
  draftDocument: operation('draftDocument', 'POST /processos/:nup/documentos/gerados', 'documentos:incluir', { params: nupParams, body: internalDocumentBody }, [201, createdInternalDocument], WRITE),
  downloadDocument: operation('downloadDocument', 'GET /documentos/:id/arquivo', 'documentos:ler', { params: documentParams }, [200, 'binary'], READ),
  sendProcess: operation('sendProcess', 'POST /processos/:nup/envios', 'processos:enviar', { params: nupParams, body: sendBody }, [200, sentBody], WRITE),
};

export type OperationName = keyof typeof OPERATIONS;

/** `/processos/:nup` → `/api/v1/processos/{nup}`. */
export function openApiPath(path: string): string {
  return `${API_BASE}${path.replace(/:([A-Za-z_]+)/g, '{$1}')}`;
}

let cached: object | null = null;

/** The OpenAPI 3.1 document, generated once from OPERATIONS. */
export function openApiDocument(): object {
  if (cached) return cached;
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'chave', { type: 'http', scheme: 'bearer', description: 'Chave de integração criada em Administração → Integrações.' });
  for (const op of Object.values(OPERATIONS) as Operation[]) {
    const headers = op.idempotent
      ? z.object({ 'idempotency-key': z.string().max(200).optional().describe('Repetir a requisição com a mesma chave devolve a mesma resposta, sem criar nada de novo.') })
      : undefined;
    registry.registerPath({
      method: op.method,
      path: openApiPath(op.path),
      summary: op.summary,
      description: `${op.description}\n\nEscopo: \`${op.scope}\`.`,
      security: [{ chave: [] }],
      'x-scope': op.scope,
      request: {
        params: op.request.params,
        query: op.request.query,
        headers,
        body: op.request.body ? { content: { [op.bodyType ?? 'application/json']: { schema: op.request.body } } } : undefined,
      },
      responses: Object.fromEntries(
        Object.entries(op.responses).map(([status, r]) => [
          status,
          {
            description: r.description,
            content: r.binary
              ? { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } }
              : r.schema
                ? { [Number(status) >= 400 ? 'application/problem+json' : 'application/json']: { schema: r.schema } }
                : undefined,
          },
        ]),
      ),
    });
  }
  cached = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'PEN Nuvem — API de integração',
      version: '1.0.0',
      description:
        'Para sistemas do próprio ente (tributos, folha, licenciamento) abrirem processos, incluírem documentos e consultarem andamentos. ' +
        'Cada chamada se autentica com `Authorization: Bearer <chave>` no endereço do ente que criou a chave; cookies não autenticam. ' +
        'Erros seguem a RFC 9457 (application/problem+json).',
    },
    servers: [{ url: '/' }],
  });
  return cached;
}
