import type { Request, RequestHandler } from 'express';
import { fileTypeFromBuffer } from 'file-type';
import multer from 'multer';
import { namespace } from '../db/cls';
import { BadRequestError } from '../errors';
import { isCitizenUploadPath, takesSeveralDocuments } from '../protocol/paths';

/** What an external document may be, recognised by content (magic bytes), never by name. */
export const ACCEPTED_TYPES: Record<string, { mime: string; label: string; kind: 'pdf' | 'image' | 'office' }> = {
  pdf: { mime: 'application/pdf', label: 'PDF', kind: 'pdf' },
  png: { mime: 'image/png', label: 'imagem PNG', kind: 'image' },
  jpg: { mime: 'image/jpeg', label: 'imagem JPEG', kind: 'image' },
  gif: { mime: 'image/gif', label: 'imagem GIF', kind: 'image' },
  webp: { mime: 'image/webp', label: 'imagem WEBP', kind: 'image' },
  tif: { mime: 'image/tiff', label: 'imagem TIFF', kind: 'image' },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', label: 'Word (DOCX)', kind: 'office' },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', label: 'Excel (XLSX)', kind: 'office' },
  pptx: { mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', label: 'PowerPoint (PPTX)', kind: 'office' },
  odt: { mime: 'application/vnd.oasis.opendocument.text', label: 'texto ODT', kind: 'office' },
  ods: { mime: 'application/vnd.oasis.opendocument.spreadsheet', label: 'planilha ODS', kind: 'office' },
};

export const ACCEPTED_DESCRIPTION = 'PDF, imagens (PNG, JPEG, GIF, WEBP, TIFF) e documentos de escritório (DOCX, XLSX, PPTX, ODT, ODS)';

export interface DetectedFile {
  ext: string;
  mime: string;
  kind: 'pdf' | 'image' | 'office';
}

/** The accepted type of `bytes`, or null when the content is not one of them (whatever the name says). */
export async function detectAcceptedType(bytes: Buffer): Promise<DetectedFile | null> {
  const found = await fileTypeFromBuffer(bytes);
  if (!found) return null;
  const accepted = ACCEPTED_TYPES[found.ext];
  return accepted ? { ext: found.ext, mime: accepted.mime, kind: accepted.kind } : null;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`.replace('.', ',');
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

export function tooLargeMessage(maxBytes: number): string {
  return `O arquivo é maior que o limite de ${formatBytes(maxBytes)}. Reduza-o (por exemplo, digitalizando em menor resolução) ou divida-o em partes.`;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** A refusal while reading a multipart upload (too large…), shown next to the file field. */
    uploadError?: string;
  }
}

/** The input name of a staff form that takes several documents (an answer to a citizen, an intimação). */
export const DOCUMENTS_FIELD = 'documentos';
/** How many documents such a form takes. */
export const MAX_DOCUMENTS = 5;

/**
 * Reads multipart uploads into memory, limited to `maxBytes` per file, BEFORE the CSRF check, so the
 * form's hidden `_csrf` field is read from the parsed body like every other form's. Only logged-in users'
 * multipart requests are parsed (an anonymous one is left unparsed and fails the CSRF check); the
 * citizen portal's own forms are read by server/protocol/uploads.ts with `readMultipart`. A form whose
 * path takes several documents (`takesSeveralDocuments`) reads up to MAX_DOCUMENTS files of
 * DOCUMENTS_FIELD into `req.files`; every other one the single file `arquivo` into `req.file`. A file
 * over the limit does not end the request: the fields read so far are kept and `req.uploadError`
 * says why, so the route re-renders its form (the CSRF check still runs first).
 */
export function parseUploads(maxBytes: number): RequestHandler {
  const single = readSingleUpload(maxBytes);
  const several = readMultipart(
    multer({ storage: multer.memoryStorage(), limits: { fileSize: maxBytes, files: MAX_DOCUMENTS, fields: 30 } }).array(DOCUMENTS_FIELD, MAX_DOCUMENTS),
    maxBytes,
    `Envie no máximo ${MAX_DOCUMENTS} documentos.`,
  );
  return (req: Request, res, next) => {
    if (!req.user || !req.is('multipart/form-data') || isCitizenUploadPath(req.path)) return next();
    (takesSeveralDocuments(req.path) ? several : single)(req, res, next);
  };
}

/**
 * Reads one multipart body (the file in `arquivo`, in memory, at most `maxBytes`) with the rules
 * above: a file over the limit sets `req.uploadError`, a malformed body is a 400. Used by
 * `parseUploads` and by the integration API, which authenticates its calls by key, not session.
 */
export function readSingleUpload(maxBytes: number): RequestHandler {
  const single = multer({ storage: multer.memoryStorage(), limits: { fileSize: maxBytes, files: 1, fields: 30 } }).single('arquivo');
  return readMultipart(single, maxBytes, 'Envie um único arquivo pelo formulário.');
}

/**
 * The one way a multipart body is read (staff forms, the API, the citizen portal): `parser` is the
 * multer middleware with its limits. A file over `maxBytes` or too many files set `req.uploadError`
 * (`tooLarge` or `tooMany`) and the rest of the body is drained, so the route answers with its form;
 * a malformed body is a 400 before any route.
 */
export function readMultipart(parser: RequestHandler, maxBytes: number, tooMany: string): RequestHandler {
  return (req: Request, res, next) => {
    // Multer continues from its parser's events: carry the request's CLS context (tenant) across.
    parser(req, res, namespace.bind((err?: unknown) => {
      if (!err) return next();
      if (err instanceof multer.MulterError) {
        req.uploadError = err.code === 'LIMIT_FILE_SIZE' ? tooLargeMessage(maxBytes) : tooMany;
        req.file = undefined;
        req.files = [];
        req.body ??= {};
        // multer stops reading at the error; drain the rest so the response can be sent.
        req.resume();
        return next();
      }
      next(malformedUpload(req));
    }, namespace.active));
  };
}

/**
 * A truncated or malformed multipart body (busboy: "Unexpected end of form", "Malformed part
 * header"…): refused before the CSRF check and any route, so nothing is written.
 */
export function malformedUpload(req: Request): BadRequestError {
  req.resume();
  return new BadRequestError('O formulário chegou incompleto ou malformado. Volte à página, recarregue-a e envie de novo.');
}
