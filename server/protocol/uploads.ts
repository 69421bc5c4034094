import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import { DOCUMENTS_FIELD, MAX_DOCUMENTS, formatBytes, readMultipart } from '../documents/upload';
import { ValidationError } from '../errors';
import { checkDocuments, MAX_TOTAL_BYTES, type CheckedDocument, type UploadedFile } from './requestValidation';
import { isCitizenUploadPath } from './paths';
import { MAX_ATTACHMENT_MB } from './serviceValidation';

/** Attachments per form: the service form has at most this many slots. */
const MAX_FILES = 10;

/**
 * The citizen portal's multipart forms (attachments of a request), read before the CSRF check as
 * server/documents/upload.ts does for staff, through its one reader (`readMultipart`). Citizens are anonymous, so only POSTs to the portal's
 * own paths on a tenant host are parsed, into memory, bounded by MAX_FILES × MAX_ATTACHMENT_MB.
 * A file over the bound does not end the request: `req.uploadError` says why and the route
 * re-renders its form.
 */
export function parseCitizenUploads(): RequestHandler {
  const maxBytes = MAX_ATTACHMENT_MB * 1024 * 1024;
  const any = readMultipart(multer({ storage: multer.memoryStorage(), limits: { fileSize: maxBytes, files: MAX_FILES, fields: 80 } }).any(), maxBytes, 'Envie no máximo um arquivo por anexo.');
  return (req: Request, res, next) => {
    if (req.method !== 'POST' || req.site?.type !== 'tenant' || !isCitizenUploadPath(req.path) || !req.is('multipart/form-data')) return next();
    any(req, res, next);
  };
}

/** What a documents field (several files, checked by content) takes. */
export const DOCUMENTS_RULE = `Até ${MAX_DOCUMENTS} arquivos (PDF, imagens ou documentos de escritório; o tipo é conferido pelo conteúdo), juntos até ${formatBytes(MAX_TOTAL_BYTES)}.`;
export const DOCUMENTS_HINT = `${DOCUMENTS_RULE} O cidadão os lê na página de acompanhamento.`;

/** The documents of a staff form (answer, intimação), checked by content; a refusal is for the field. */
export async function staffDocuments(req: Request): Promise<CheckedDocument[]> {
  const files = (Array.isArray(req.files) ? req.files : []) as UploadedFile[];
  const checked = await checkDocuments(files, DOCUMENTS_FIELD, { max: MAX_DOCUMENTS, required: false });
  const error = req.uploadError ?? checked.error;
  if (error) throw new ValidationError('Corrija os campos indicados.', { [DOCUMENTS_FIELD]: error });
  return checked.files;
}
