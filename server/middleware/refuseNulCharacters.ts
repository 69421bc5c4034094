import type { RequestHandler } from 'express';
import { BadRequestError } from '../errors';

function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 8 || value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || holdsNul(v, depth + 1));
}

/**
 * A NUL character is never part of what a person types, PostgreSQL's text refuses it, and a session
 * keeping it breaks json operators on its row (`people/sessions.ts`). Refused with 400 wherever the
 * request carries it: path, query, or a parsed form (used after each body parser).
 */
export default function refuseNulCharacters(): RequestHandler {
  return (req, _res, next) => {
    if (req.url.includes('\u0000') || /%00/i.test(req.url) || holdsNul(req.query) || holdsNul(req.body)) {
      return next(new BadRequestError('O pedido contém um caractere inválido (NUL). Apague-o e envie de novo.'));
    }
    next();
  };
}
