import type { RequestHandler } from 'express';
import { UnsupportedMediaTypeError } from '../errors';

/**
 * Every route reads forms: urlencoded or, for uploads, multipart. A request with a body in any other
 * format (JSON, XML, plain text…) is refused with 415 before the session, the CSRF check and the
 * routes see it, so no handler ever receives a body it did not parse. Requests without a body get
 * an empty one (`req.body` is then always an object).
 */
export default function requireFormBodies(): RequestHandler {
  return (req, _res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is(['application/x-www-form-urlencoded', 'multipart/form-data'])) {
      return next(new UnsupportedMediaTypeError('Este endereço aceita apenas formulários enviados pelas páginas do sistema (application/x-www-form-urlencoded ou multipart/form-data).'));
    }
    req.body ??= {};
    next();
  };
}
