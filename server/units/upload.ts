import type { RequestHandler } from 'express';
import multer from 'multer';
import { namespace } from '../db/cls';

/**
 * The CSV of a bulk import arrives as multipart/form-data, which must be parsed before the CSRF
 * check reads `_csrf` from the body: app.ts mounts this on the import path ahead of setUpCsrf.
 * In memory and small (a 5,000-unit file is well under 1 MB).
 */
export const IMPORT_PATH = '/administracao/unidades/importar';

const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 2 * 1024 * 1024, files: 1, fields: 5 } }).single('arquivo');

/** Multer continues from its parser's events: carry the request's CLS context (tenant) across. */
export const importUpload: RequestHandler = (req, res, next) => {
  upload(req, res, namespace.bind(next as (...args: unknown[]) => void, namespace.active));
};
