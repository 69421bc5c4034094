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

const problems = (...codes: number[]): Operation['responses'] =>
  Object.fromEntries(codes.map((c) => [c, { description: PROBLEM_DESCRIPTIONS[c], schema: problemBody }]));

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

export const OPERATIONS = {
  createProcess: {
    method: 'post',
    path: '/processos',
    scope: 'processos:criar',
    summary: 'Iniciar processo',
    description: 'Gera o processo na unidade da chave, numerado como nas telas (NUP ou NIPE do ente), com os interessados e o primeiro andamento.',
    request: { body: createProcessBody },
    bodyType: 'application/json',
    idempotent: true,
    responses: { 201: { description: 'Processo gerado (ou o mesmo de antes, numa repetição com a mesma Idempotency-Key).', schema: createdProcess }, ...problems(400, 401, 403, 409, 415, 422, 429) },
  },
  readProcess: {
    method: 'get',
    path: '/processos/:nup',
    scope: 'processos:ler',
    summary: 'Consultar processo',
    description: 'Metadados, interessados, andamentos e documentos, com as regras de acesso que valem para um usuário da unidade da chave.',
    request: { params: nupParams },
    responses: { 200: { description: 'O processo.', schema: processBody }, ...problems(401, 403, 404, 429) },
  },
  inbox: {
    method: 'get',
    path: '/caixa',
    scope: 'processos:ler',
    summary: 'Controle de processos da unidade',
    description: 'Processos abertos na unidade da chave (recebidos ou gerados), do mais recente ao mais antigo, paginados por cursor.',
    request: { query: inboxQuery },
    responses: { 200: { description: 'Uma página.', schema: inboxBody }, ...problems(400, 401, 403, 429) },
  },
  fileDocument: {
    method: 'post',
    path: '/processos/:nup/documentos',
    scope: 'documentos:incluir',
    summary: 'Incluir documento externo',
    description: 'Um arquivo (multipart, campo "arquivo"): tipo reconhecido pelo conteúdo, tamanho limitado, guardado pelo SHA-256.',
    request: { params: nupParams, body: documentMultipart },
    bodyType: 'multipart/form-data',
    idempotent: true,
    responses: { 201: { description: 'Documento incluído.', schema: createdDocument }, ...problems(400, 401, 403, 404, 409, 415, 422, 429) },
  },
  draftDocument: {
    method: 'post',
    path: '/processos/:nup/documentos/gerados',
    scope: 'documentos:incluir',
    summary: 'Gerar documento a partir do modelo',
    description: 'Uma minuta do tipo escolhido, com o modelo do tipo preenchido (e os campos enviados); fica na unidade da chave para ser revisada e assinada por um servidor.',
    request: { params: nupParams, body: internalDocumentBody },
    bodyType: 'application/json',
    idempotent: true,
    responses: { 201: { description: 'Minuta gerada.', schema: createdInternalDocument }, ...problems(400, 401, 403, 404, 409, 415, 422, 429) },
  },
  downloadDocument: {
    method: 'get',
    path: '/documentos/:id/arquivo',
    scope: 'documentos:ler',
    summary: 'Baixar documento externo',
    description: 'Os bytes do arquivo, com o tipo e o nome.',
    request: { params: documentParams },
    responses: { 200: { description: 'O arquivo.', binary: true }, ...problems(401, 403, 404, 429) },
  },
  sendProcess: {
    method: 'post',
    path: '/processos/:nup/envios',
    scope: 'processos:enviar',
    summary: 'Enviar processo',
    description: 'Envia o processo a uma ou mais unidades (como "Enviar processo" nas telas).',
    request: { params: nupParams, body: sendBody },
    bodyType: 'application/json',
    idempotent: true,
    responses: { 200: { description: 'Enviado.', schema: sentBody }, ...problems(400, 401, 403, 404, 409, 415, 422, 429) },
  },
} satisfies Record<string, Operation>;

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
