import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import { namespace } from '../db/cls';
import { malformedUpload, tooLargeMessage } from '../documents/upload';
import { isCitizenUploadPath } from './paths';
import { MAX_ATTACHMENT_MB } from './serviceValidation';

/** Attachments per form: the service form has at most this many slots. */
const MAX_FILES = 10;

/**
 * The citizen portal's multipart forms (attachments of a request), read before the CSRF check as
 * server/documents/upload.ts does for staff. Citizens are anonymous, so only POSTs to the portal's
 * own paths on a tenant host are parsed, into memory, bounded by MAX_FILES × MAX_ATTACHMENT_MB.
 * A file over the bound does not end the request: `req.uploadError` says why and the route
 * re-renders its form.
 */
export function parseCitizenUploads(): RequestHandler {
  const maxBytes = MAX_ATTACHMENT_MB * 1024 * 1024;
  const any = multer({ storage: multer.memoryStorage(), limits: { fileSize: maxBytes, files: MAX_FILES, fields: 80 } }).any();
  return (req: Request, res, next) => {
    if (req.method !== 'POST' || req.site?.type !== 'tenant' || !isCitizenUploadPath(req.path) || !req.is('multipart/form-data')) return next();
    any(req, res, namespace.bind((err?: unknown) => {
      if (!err) return next();
      if (err instanceof multer.MulterError) {
        req.uploadError = err.code === 'LIMIT_FILE_SIZE' ? tooLargeMessage(maxBytes) : 'Envie no máximo um arquivo por anexo.';
        req.files = [];
        req.body ??= {};
        req.resume();
        return next();
      }
      next(malformedUpload(req));
    }, namespace.active));
  };
}
