import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { BadRequestError, DomainError, ValidationError } from '../errors';

/** RFC 9457 problem details (`application/problem+json`), `detail` in Portuguese. */

export interface FieldProblem {
  pointer: string;
  detail: string;
}

const TITLES: Record<number, string> = {
  400: 'Requisição inválida',
  401: 'Não autenticado',
  403: 'Sem permissão',
  404: 'Não encontrado',
  409: 'Conflito',
  413: 'Corpo grande demais',
  415: 'Formato não aceito',
  422: 'Dados inválidos',
  429: 'Muitas requisições',
  500: 'Erro interno',
};

/** The service's field names (shared with the screens) as the API's JSON Pointers. */
const POINTERS: Record<string, string> = {
  processTypeId: '#/tipoProcessoId',
  specification: '#/especificacao',
  accessLevel: '#/nivelAcesso',
  legalBasisId: '#/hipoteseLegalId',
  secrecyGrade: '#/grauSigilo',
  documentTypeId: '#/tipoDocumentoId',
  units: '#/unidades',
  expectedReturn: '#/retornoProgramado',
  arquivo: '#/arquivo',
};

export function pointerFor(field: string): string {
  const party = /^party(Name|Document)([0-9]+)$/.exec(field);
  if (party) return `#/interessados/${party[2]}/${party[1] === 'Name' ? 'nome' : 'documento'}`;
  if (Object.hasOwn(POINTERS, field)) return POINTERS[field];
  return `#/${field.split('.').join('/')}`;
}

export function sendProblem(res: Response, status: number, detail: string, errors?: FieldProblem[]): void {
  const body = { type: 'about:blank', title: TITLES[status] ?? 'Erro', status, detail, ...(errors?.length ? { errors } : {}) };
  res.status(status).type('application/problem+json').setHeader('Cache-Control', 'no-store');
  res.send(JSON.stringify(body));
}

export const apiNotFound: RequestHandler = (_req, res) => sendProblem(res, 404, 'Endereço não encontrado na API de integração (/api/v1/). Veja /api/v1/docs.');

/** Every error under /api/v1/ ends here: a problem document, never an HTML page or a stack trace. */
export const apiErrors: ErrorRequestHandler = (err, req, res, _next) => {
  if (res.headersSent) return res.end();
  if (err instanceof ValidationError || err instanceof BadRequestError) {
    const errors = Object.entries(err.fields).map(([field, detail]) => ({ pointer: pointerFor(field), detail }));
    return sendProblem(res, err.status, err.message, errors);
  }
  if (err instanceof DomainError) return sendProblem(res, err.status, err.message);
  // body-parser and multer errors carry their status (malformed JSON, too large, wrong charset).
  const status = (err as { status?: number }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const type = (err as { type?: string }).type;
    const detail =
      type === 'entity.parse.failed' ? 'O corpo não é um JSON válido.' : status === 413 ? 'O corpo da requisição é grande demais.' : 'A requisição não pôde ser lida.';
    return sendProblem(res, status, detail);
  }
  req.log?.error({ err }, 'erro na API de integração');
  sendProblem(res, 500, 'Erro interno. Tente de novo; se persistir, informe o identificador da requisição ao suporte.');
};
