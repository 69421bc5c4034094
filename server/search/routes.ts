import { Router } from 'express';
import { z } from 'zod';
import { actorOf } from '../web/actor';
import { requireUser } from '../middleware/setUpAuth';
import { input, parseForm, queryDate, queryId, queryText } from '../validation';
import { registerProcessSurface } from '../processes/surfaces';
import { renderForm } from '../web/forms';
import { hasCriteria, searchPage, type SearchCriteria } from './service';

const searchSchema = z.object({
  q: queryText(),
  numero: queryText(),
  tipoDocumento: queryId,
  tipoProcesso: queryId,
  interessado: queryText(),
  unidade: queryId,
  de: queryDate,
  ate: queryDate,
  pagina: z.union([z.string().regex(/^[1-9][0-9]{0,2}$/, 'A página deve ser um número de 1 a 500.'), z.literal('')]).optional().transform((v) => (v ? Math.min(500, Number(v)) : undefined)),
});

/** Pesquisa: one GET form; the header's search box sends `q` (a number goes to the number field). */
export default function searchRoutes(): Router {
  const router = Router();
  // The edge refuses what no form sends (repeated keys, overlong values); the form schema then words
  // each field's problem next to it (422, the form kept).
  const searchInput = { query: z.object(Object.fromEntries(Object.keys(searchSchema.shape).map((k) => [k, z.string().max(300, 'Use no máximo 300 caracteres.').optional()]))) };
  router.get('/pesquisa', input(searchInput), requireUser, async (req, res) => {
    const parsed = parseForm(searchSchema, req.query);
    if (!parsed.ok) {
      const { result: _none, ...options } = await searchPage(actorOf(req), null);
      return renderForm(res, 'search/search', 422, { title: 'Pesquisa', ...options }, { values: req.query, errors: parsed.errors });
    }
    const v = parsed.data;
    let text = v.q;
    let number = v.numero;
    if (text && !number && /^[\d\s./-]+$/.test(text) && /\d{4,}/.test(text.replace(/\D/g, ''))) {
      number = text;
      text = undefined;
    }
    const criteria: SearchCriteria = { text, number, documentTypeId: v.tipoDocumento, processTypeId: v.tipoProcesso, party: v.interessado, unitId: v.unidade, from: v.de, to: v.ate, page: v.pagina };
    const searched = hasCriteria(criteria);
    const { result: found, ...options } = await searchPage(actorOf(req), criteria);
    const result = found ?? { hits: [], more: false, capped: false };
    const page = v.pagina ?? 1;
    const params = new URLSearchParams(Object.entries({ ...v, q: text, numero: number, pagina: undefined }).filter(([, x]) => x !== undefined).map(([k, x]) => [k, String(x)]));
    res.render('search/search', {
      title: 'Pesquisa',
      ...options,
      values: { ...v, q: text, numero: number },
      searched,
      hits: result.hits,
      capped: result.capped,
      documentMode: !!(text || v.tipoDocumento),
      nextPage: result.more ? `/pesquisa?${params}&pagina=${page + 1}` : null,
      previousPage: page > 1 ? `/pesquisa?${params}&pagina=${page - 1}` : null,
    });
  });
  return router;
}

registerProcessSurface('GET /pesquisa', 'resultados da pesquisa: processos e documentos, com trechos');
